"""Printable and exportable renderings of read models: statement PDFs, payroll files."""
