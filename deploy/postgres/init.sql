-- One database per agency: no service reads another's database.
CREATE DATABASE court;
CREATE DATABASE police;
CREATE DATABASE procuratorate;
