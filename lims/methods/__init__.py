"""Methods, the accredited scope and CMC, and uncertainty model templates."""
