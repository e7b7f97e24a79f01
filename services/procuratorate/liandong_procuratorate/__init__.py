"""The procuratorate service (检察院): supervision of the matters the court and police hand to each other."""
