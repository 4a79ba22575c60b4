"""A hubspoke item source in Python: one Lambda function the hub invokes once per page of items.

Deployed, it is a plain Python Lambda function (handler `lister.handler`, runtime python3.x), named
in a run request's `"source": {"type": "lambda", "function": "lister", "config": {...}}`. Locally,
the same file is a command function: `./hubspoke run --source
'{"type":"lambda","function":"lister","config":{"path":"examples/worker-python/texts.json"}}'
--function 'lister=python3 examples/worker-python/lister.py'` runs it once per page, the event on
standard input and the page on standard output (the __main__ block below).

The event: {"runId", "cursor", "config", "deadline"}, `cursor` null for the first page. The answer:
{"items": [...], "cursor": "..."}, with a null cursor after the last page. The hub asks for a page
again with the same cursor after a crash, so the same cursor must give the same page.

It pages over the file `config.path` (relative to the working directory: the function's root on
Lambda, where you run hubspoke locally), `config.pageSize` items a page (1-1000, default 100):

- a `.json` file is a JSON array, each element an item (`texts.json` gives the wordcount worker of
  handler.py the same five texts as `./hubspoke run examples/worker-python/texts.json`);
- any other file is text, one item `{"line": n, "text": "..."}` per non-blank line (n from 1), which
  handler.py counts the words of, line by line.

The cursor is the index of the next element or line. A setting or a file that no retry can fix
raises an error whose name ends in NonRetryable, so the hub ends discovery at once (the run then
fails with the error, once the tasks of the pages before are done). The standard library only.
"""

import json
import os
import sys
import traceback

MAX_PAGE_SIZE = 1000  # the most items the hub takes in one page
DEFAULT_PAGE_SIZE = 100


class BadConfigNonRetryable(Exception):
    """The source's config is wrong: the same config fails again, so hubspoke does not retry."""


class BadFileNonRetryable(Exception):
    """The file cannot give the page (not UTF-8, not a JSON array of items): no retry helps."""


def handler(event, context):
    path, page_size = settings(event.get("config"))
    first = cursor_index(event.get("cursor"))
    if path.endswith(".json"):
        items, following = json_page(path, first, page_size)
    else:
        items, following = text_page(path, first, page_size)
    return {"items": items, "cursor": None if following is None else str(following)}


def settings(config):
    if not isinstance(config, dict):
        raise BadConfigNonRetryable('config must be an object such as {"path": "texts.json"}')
    unknown = sorted(set(config) - {"path", "pageSize"})
    if unknown:
        raise BadConfigNonRetryable(
            "config." + unknown[0] + " is not a setting; the settings are path and pageSize")
    path = config.get("path")
    if not isinstance(path, str) or not path.strip():
        raise BadConfigNonRetryable("config.path is required: the file whose items to list")
    if not os.path.isfile(path):
        raise BadConfigNonRetryable(
            "config.path " + path + " is not a file (from " + os.getcwd() + ")")
    page_size = config.get("pageSize", DEFAULT_PAGE_SIZE)
    if type(page_size) is not int or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise BadConfigNonRetryable(
            "config.pageSize must be a whole number from 1 to %d, not %s"
            % (MAX_PAGE_SIZE, json.dumps(page_size)))
    return path, page_size


def cursor_index(cursor):
    if cursor is None:
        return 0
    if not isinstance(cursor, str) or not (cursor.isascii() and cursor.isdigit()):
        raise BadConfigNonRetryable("cursor " + json.dumps(cursor) + " is not one this source gave")
    return int(cursor)


def json_page(path, first, page_size):
    """Elements first.. of a JSON array; the cursor after them, or None after the last."""
    try:
        with open(path, encoding="utf-8") as f:
            elements = json.load(f)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFileNonRetryable(path + " is not a UTF-8 JSON array: " + str(error)) from error
    if not isinstance(elements, list):
        raise BadFileNonRetryable(path + " must hold a JSON array of items")
    items = elements[first:first + page_size]
    if any(item is None for item in items):
        raise BadFileNonRetryable(path + ": an item is null; give any JSON value but null")
    following = first + page_size
    return items, following if following < len(elements) else None


def text_page(path, first, page_size):
    """Up to page_size non-blank lines from line index `first`; the index of the next non-blank
    line after them, or None when there is none. Only the page's own lines are decoded, so a line
    that is not UTF-8 fails the page that holds it, not the pages before."""
    items = []
    with open(path, "rb") as f:
        for index, raw in enumerate(f):
            if index < first or not raw.strip():
                continue
            if len(items) == page_size:
                return items, index
            try:
                text = raw.decode("utf-8-sig" if index == 0 else "utf-8").strip()
            except UnicodeDecodeError as error:
                raise BadFileNonRetryable(
                    "%s: line %d is not UTF-8 text (%s)" % (path, index + 1, error)) from error
            if text:
                items.append({"line": index + 1, "text": text})
    return items, None


if __name__ == "__main__":
    event = json.load(sys.stdin)
    try:
        result = handler(event, None)  # the lister reads no context
    except Exception as error:  # reported as Lambda's Python runtime reports it
        traceback.print_exc()  # standard error: the function's log
        json.dump({"errorType": type(error).__name__, "errorMessage": str(error)}, sys.stdout)
        sys.exit(1)
    json.dump(result, sys.stdout)
