"""A command function whose answer the item chooses (LambdaWorkerIT): {"mode": ..., "n": ...}."""
import json
import sys
import time

event = json.load(sys.stdin)
mode = event["item"]["mode"]
attempt = event["attempt"]


def fail(error_type, message, **extra):
    print(message, file=sys.stderr)
    json.dump(dict(errorType=error_type, errorMessage=message, **extra), sys.stdout)
    sys.exit(1)


if mode == "flaky" and attempt == 1:
    fail("RuntimeError", "first attempts fail")
if mode == "broken":
    fail("RuntimeError", "always broken")
if mode == "bad":
    fail("InvalidItemNonRetryable", "no retry can fix this item")
if mode == "marked":
    fail("QuotaExceeded", "the quota is spent for the month", retryable=False)
if mode == "crash":
    print("segmentation fault (core dumped)", file=sys.stderr)
    sys.exit(139)
if mode == "hang":
    time.sleep(600)
json.dump({"n": event["item"]["n"], "attempt": attempt, "taskId": event["taskId"]}, sys.stdout)
