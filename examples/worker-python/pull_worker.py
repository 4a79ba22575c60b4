"""A hubspoke pull worker in Python: claims the tasks of a pull run over the HTTP API and runs them
anywhere (a laptop, a container, an on-prem box). The standard library only.

    python3 examples/worker-python/pull_worker.py --api http://127.0.0.1:8080 --run r-...

It runs the same function as the Lambda worker of handler.py (`--handler handler:handler`, the
default): the event {"runId", "taskId", "attempt", "item", "deadline"}, the result any JSON. An
exception whose class name ends in NonRetryable fails the task at once; any other is retried as the
run's retry policy says, by whichever worker claims the task next.

Each of `--concurrency` threads loops: claim one task (long polling: the hub holds the request up to
`--wait` seconds until a task is claimable), heartbeat it every third of its lease while the
function runs (a heartbeat answered 409 means the run was cancelled or the lease was lost: the
result will not count), then post the result or the error with the claim's token. A worker that
dies holding a task loses it when its lease ends; another claim takes it over, and the dead
worker's late result is refused (409 LeaseLost). The worker exits 0 once the hub answers that the
run hands out no more tasks (it finished, or was cancelled).

Against a deployed stack the API is IAM-authorized: give `--region` and the requests are signed
with Signature Version 4 from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
"""

import argparse
import datetime
import hashlib
import hmac
import importlib
import json
import os
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request


class Api:
    """POSTs JSON to the hub; retries what a retry can fix (throttling, 5xx, a dropped
    connection) with backoff, and returns (status, body) for everything else."""

    def __init__(self, base, region=None):
        self.base = base.rstrip("/")
        self.region = region

    def post(self, path, body, timeout=60):
        data = json.dumps(body).encode("utf-8")
        pause = 0.2
        for attempt in range(8):
            headers = {"content-type": "application/json"}
            if self.region:
                headers.update(sigv4_headers("POST", self.base + path, data, self.region))
            request = urllib.request.Request(self.base + path, data=data, method="POST",
                                             headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return response.status, json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                answer = json.loads(error.read() or b"{}")
                if error.code != 429 and error.code < 500:
                    return error.code, answer
                log("hub answered %d on %s: %s; retrying" % (error.code, path, answer))
            except (urllib.error.URLError, OSError) as error:
                log("could not reach the hub on %s: %s; retrying" % (path, error))
            time.sleep(pause)
            pause = min(pause * 2, 5)
        raise RuntimeError("the hub did not answer " + path)


def sigv4_headers(method, url, payload, region, service="execute-api"):
    """Signature Version 4 headers for one request, from the environment's credentials."""
    key = os.environ["AWS_ACCESS_KEY_ID"]
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    token = os.environ.get("AWS_SESSION_TOKEN")
    parts = urllib.parse.urlsplit(url)
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    payload_hash = hashlib.sha256(payload).hexdigest()
    headers = {"host": parts.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    if token:
        headers["x-amz-security-token"] = token
    signed = ";".join(sorted(headers))
    canonical = "\n".join([
        method,
        urllib.parse.quote(parts.path or "/", safe="/-_.~"),
        "&".join(sorted(parts.query.split("&"))) if parts.query else "",
        "".join("%s:%s\n" % (name, headers[name]) for name in sorted(headers)),
        signed,
        payload_hash,
    ])
    scope = "/".join([day, region, service, "aws4_request"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    signing_key = ("AWS4" + secret).encode("utf-8")
    for part in (day, region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode("utf-8"), hashlib.sha256).digest()
    signature = hmac.new(signing_key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        key, scope, signed, signature)
    del headers["host"]  # urllib sends it
    return headers


class Heartbeat(threading.Thread):
    """Extends a task's lease every third of it while the function runs."""

    def __init__(self, api, task_path, token, lease_seconds, extend_to=None):
        super().__init__(daemon=True)
        self.api = api
        self.task_path = task_path
        self.token = token
        self.extend_to = extend_to  # lease seconds each heartbeat asks for (None: the run's)
        self.every = max(1.0, lease_seconds / 3.0)
        self.done = threading.Event()
        self.lost = None  # why the task is no longer ours, if it is not

    def run(self):
        while not self.done.wait(self.every):
            beat = {"token": self.token}
            if self.extend_to:
                beat["leaseSeconds"] = self.extend_to
            status, answer = self.api.post(self.task_path + "/heartbeat", beat)
            if status == 200:
                self.token = answer["token"]
            else:
                self.lost = "%d %s: %s" % (status, answer.get("error"), answer.get("message"))
                log("task %s: %s" % (self.task_path, self.lost))
                return

    def stop(self):
        self.done.set()
        self.join()
        return self.token


class Worker:
    def __init__(self, api, run_id, function, worker_id, lease, wait):
        self.api = api
        self.run_id = run_id
        self.function = function
        self.worker_id = worker_id
        self.lease = lease
        self.wait = wait
        self.counts = {"SUCCEEDED": 0, "FAILED": 0, "PENDING": 0, "lost": 0}
        self.lock = threading.Lock()

    def loop(self):
        claim = {"max": 1, "waitSeconds": self.wait, "workerId": self.worker_id}
        if self.lease:
            claim["leaseSeconds"] = self.lease
        while True:
            status, answer = self.api.post("/runs/%s/claims" % self.run_id, claim)
            if status != 200:
                raise RuntimeError("claim refused: %d %s" % (status, answer))
            for task in answer["tasks"]:
                self.run_task(task)
            if answer["done"]:
                return

    def run_task(self, task):
        path = "/runs/%s/tasks/%d" % (self.run_id, task["taskNumber"])
        lease_until = parse_time(task["leaseUntil"])
        heartbeat = Heartbeat(self.api, path, task["token"], lease_until - time.time(), self.lease)
        heartbeat.start()
        event = {"runId": self.run_id, "taskId": task["taskId"], "attempt": task["attempt"],
                 "item": task["item"], "deadline": task["leaseUntil"]}
        try:
            outcome = {"result": self.function(event, None)}
        except Exception as error:  # reported to the hub, which retries or fails the task
            traceback.print_exc()
            name = type(error).__name__
            outcome = {"error": {"type": name, "message": str(error),
                                 "retryable": not name.endswith("NonRetryable")}}
        outcome["token"] = heartbeat.stop()
        status, answer = self.api.post(path + "/result", outcome)
        with self.lock:
            if status == 200:
                self.counts[answer["status"]] += 1
            elif status == 409:
                self.counts["lost"] += 1
                log("task %s not recorded: %s" % (task["taskId"], answer.get("message")))
            else:
                raise RuntimeError("result refused: %d %s" % (status, answer))


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def load(spec):
    module, _, name = spec.partition(":")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    return getattr(importlib.import_module(module), name or "handler")


def log(message):
    print("pull_worker: " + message, file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Claims and runs the tasks of a hubspoke pull run.")
    parser.add_argument("--api", default=os.environ.get("HUBSPOKE_API"),
                        help="the hub's HTTP API, e.g. http://127.0.0.1:8080 (or HUBSPOKE_API)")
    parser.add_argument("--run", required=True, help="the pull run's id (r-... or k-...)")
    parser.add_argument("--handler", default="handler:handler",
                        help="module:function to run per task (default handler:handler)")
    parser.add_argument("--concurrency", type=int, default=4, help="tasks at once (default 4)")
    parser.add_argument("--lease", type=int, default=0,
                        help="lease seconds per claim (default: the run's task timeout)")
    parser.add_argument("--wait", type=int, default=20, help="long-poll seconds, 0-20 (default 20)")
    parser.add_argument("--worker-id", default="%s-%d" % (socket.gethostname()[:40], os.getpid()),
                        help="this worker's name in the tasks' history")
    parser.add_argument("--region", help="sign requests with SigV4 for this AWS region")
    args = parser.parse_args(argv)
    if not args.api:
        parser.error("give --api or set HUBSPOKE_API")
    worker = Worker(Api(args.api, args.region), args.run, load(args.handler), args.worker_id,
                    args.lease, args.wait)
    failures = []

    def guarded():
        try:
            worker.loop()
        except Exception as error:
            failures.append(error)
            traceback.print_exc()

    threads = [threading.Thread(target=guarded) for _ in range(max(1, args.concurrency))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"runId": args.run, "worker": args.worker_id, **worker.counts}), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
