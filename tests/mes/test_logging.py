"""Structured logs for production: one JSON object a line."""

import json
import logging
import sys

from mes.lib.logs import JsonFormatter


def test_json_lines_carry_time_level_logger_message_and_extras():
    record = logging.LogRecord(
        "equipment.polling",
        logging.WARNING,
        __file__,
        1,
        "PLC %s silent",
        ("T01",),
        None,
    )
    record.machine = "T01"

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "equipment.polling"
    assert entry["message"] == "PLC T01 silent"
    assert entry["machine"] == "T01"
    assert entry["time"].endswith("+00:00")
    assert "\n" not in line


def test_exceptions_are_kept_in_the_line():
    try:
        raise ValueError("bad register")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    entry = json.loads(JsonFormatter().format(record))

    assert "ValueError: bad register" in entry["exception"]
