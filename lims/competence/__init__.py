"""Staff competence (ISO/IEC 17025 6.2): who may perform, review and sign which method."""
