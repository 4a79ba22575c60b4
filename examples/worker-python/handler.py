"""A hubspoke worker in Python: one Lambda function, invoked once per task by the `lambda` worker.

Deployed, it is a plain Python Lambda function (handler `handler.handler`, runtime python3.x).
Locally, the same file is a command function: `./hubspoke run items.json --worker lambda
--worker-config '{"function":"wordcount"}' --function 'wordcount=python3
examples/worker-python/handler.py'` runs it once per task, the event on standard input and the
result on standard output (the __main__ block below).

The event: {"runId", "taskId", "attempt", "item", "deadline"}. The item is a text, or an object
with a "text"; the result counts its words and fingerprints it. The standard library only.
"""

import collections
import hashlib
import json
import os
import re
import sys
import time
import traceback

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class InvalidItemNonRetryable(Exception):
    """An item no retry can fix: the name ends in NonRetryable, so hubspoke fails the task at once
    instead of retrying it (any exception of another name is retried)."""


def handler(event, context):
    text = item_text(event["item"])
    words = [word.lower() for word in WORD.findall(text)]
    data = text.encode("utf-8")
    return {
        "taskId": event["taskId"],
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "words": len(words),
        "distinctWords": len(set(words)),
        "top": [[word, n] for word, n in collections.Counter(words).most_common(3)],
    }


def item_text(item):
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item["text"]
    raise InvalidItemNonRetryable(
        'an item is a text or {"text": "..."}, not ' + json.dumps(item)[:200])


class LocalContext:
    """The parts of Lambda's context object a handler usually reads, from the variables the local
    runtime sets for a command function."""

    def __init__(self):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.aws_request_id = os.environ.get("AWS_LAMBDA_REQUEST_ID", "local")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        self._deadline_ms = int(os.environ.get("AWS_LAMBDA_DEADLINE_MS", "0"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


if __name__ == "__main__":
    event = json.load(sys.stdin)
    try:
        result = handler(event, LocalContext())
    except Exception as error:  # reported as Lambda's Python runtime reports it
        traceback.print_exc()  # standard error: the function's log
        json.dump({"errorType": type(error).__name__, "errorMessage": str(error)}, sys.stdout)
        sys.exit(1)
    json.dump(result, sys.stdout)
