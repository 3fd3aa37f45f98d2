"""The equipment register: standards and instruments, calibrations, status, traceability."""
