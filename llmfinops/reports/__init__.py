"""Report data: showback and chargeback built from the database as typed records (renderers live in render/)."""
