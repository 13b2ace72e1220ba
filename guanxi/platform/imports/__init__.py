"""The import engine: read a file safely, parse what people type, map columns,
validate, dedupe and write in all-or-nothing batches through each target's adapter."""
