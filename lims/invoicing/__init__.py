"""The invoicing basis: delivered jobs at their agreed price, exported once for accounting."""
