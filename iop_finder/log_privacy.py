"""Logs keep no search: query strings (places, coordinates, filters) are cut from request lines."""

import logging
import re

QUERY_STRING = re.compile(r"\?[^\s\"]*")


class DropQueryStrings(logging.Filter):
    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = QUERY_STRING.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
