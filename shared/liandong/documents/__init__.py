"""The papers of each act (法律文书): a numbered document drawn from the record at the moment of the act, rendered to
HTML for the screen and to PDF for the file, and stored once with its SHA-256 digest (`store`)."""
