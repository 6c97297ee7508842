"""Open Referral's Human Services Data Specification (HSDS) 3.0: the directory as the
objects 211s and referral tools read (mapping), served read-only under /api/hsds/ (views,
urls) and written whole by `export_facilities --format hsds` (export)."""
