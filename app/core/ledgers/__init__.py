"""The ledgers as declared: the catalog (fields, aliases, personal fields), validation and masking."""
