"""Documents rendered in the background: reports, the handover, the daily duty report (值班日报) and the monthly
late/missed report, to PDF and printable HTML, in Chinese and English.

- content.py: each kind's parameters and its sections, read from the database;
- render.py: the Jinja2 templates (templates/) to HTML, WeasyPrint to PDF;
- jobs.py: the DocumentJob queue (enqueue, safe claim, run_once with progress);
- labels.py: the words, in both languages.
"""
