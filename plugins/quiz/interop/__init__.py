"""Moodle interoperability: GIFT and Moodle XML to and from a neutral, database-free bank.

``gift.parse`` / ``moodle_xml.parse`` return a ParseResult (the valid questions and the
problems, each with its line or element path); ``gift.write`` / ``moodle_xml.write`` export a
Bank. The quiz plugin maps the neutral model onto its own tables.
"""
