"""Documents: Finnish masters, translations, PDF/A, signing and public verification."""
