"""Importers turn files into directory records (the API's field names) and load them."""
