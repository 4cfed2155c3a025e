#!/usr/bin/env python3
"""A fake Amazon SQS endpoint for the dispatcher's tests (TicketingEndToEndTests/SQSDeliveryTests).

    fake_sqs.py    (prints "listening on PORT", then serves until killed)

POST /  with X-Amz-Target AmazonSQS.SendMessage (the AWS JSON 1.0 protocol): the request's Signature
        Version 4 is computed again with botocore from the credentials this server handed out and compared;
        a mismatch, a stale X-Amz-Date or a wrong session token is refused as AWS refuses it (403). A queue
        URL must be under this server. Accepted messages are kept.
GET /credentials   the ECS container credentials endpoint: temporary credentials, for the Authorization
        token "container-token" only.
GET /messages      {"queues": {queueUrl: [body, ...]}, "refused": [reason, ...]}
"""

import datetime
import hashlib
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDENTIALS = Credentials("ASIAFAKEFORTESTS", "fake/secret+key", "fake-session-token")
REGION = "us-east-1"
lock = threading.Lock()
queues = {}
refused = []


def expected_signature(method, url, headers, signed, body, timestamp):
    request = AWSRequest(method=method, url=url, data=body, headers={name: headers[name] for name in signed})
    request.context["timestamp"] = timestamp
    auth = SigV4Auth(CREDENTIALS, "sqs", REGION)
    canonical = auth.canonical_request(request)
    return auth.signature(auth.string_to_sign(request, canonical), request)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, status, kind, reason):
        with lock:
            refused.append(reason)
        self.reply(status, {"__type": f"com.amazon.coral.service#{kind}", "message": reason})

    def do_GET(self):
        if self.path == "/credentials":
            if self.headers.get("Authorization") != "container-token":
                return self.reply(401, {"message": "bad token"})
            expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            return self.reply(200, {
                "AccessKeyId": CREDENTIALS.access_key, "SecretAccessKey": CREDENTIALS.secret_key,
                "Token": CREDENTIALS.token, "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            })
        if self.path == "/messages":
            with lock:
                return self.reply(200, {"queues": queues, "refused": refused})
        self.reply(404, {})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        if headers.get("x-amz-target") != "AmazonSQS.SendMessage":
            return self.refuse(400, "UnsupportedOperation", f"target {headers.get('x-amz-target')}")
        authorization = headers.get("authorization", "")
        parts = dict(
            part.strip().split("=", 1) for part in authorization.removeprefix("AWS4-HMAC-SHA256 ").split(",") if "=" in part
        )
        timestamp = headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return self.refuse(400, "IncompleteSignature", f"X-Amz-Date {timestamp!r}")
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 300:
            return self.refuse(403, "SignatureDoesNotMatch", "X-Amz-Date is more than 5 minutes off")
        scope = f"{CREDENTIALS.access_key}/{timestamp[:8]}/{REGION}/sqs/aws4_request"
        if parts.get("Credential") != scope:
            return self.refuse(403, "InvalidClientTokenId", f"credential {parts.get('Credential')!r}, not {scope!r}")
        signed = parts.get("SignedHeaders", "").split(";")
        for needed in ("host", "x-amz-date", "x-amz-target", "content-type", "x-amz-security-token"):
            if needed not in signed:
                return self.refuse(403, "SignatureDoesNotMatch", f"{needed} is not signed")
        if headers.get("x-amz-security-token") != CREDENTIALS.token:
            return self.refuse(403, "InvalidClientTokenId", "wrong session token")
        url = f"http://{headers['host']}{self.path}"
        wanted = expected_signature("POST", url, headers, signed, body, timestamp)
        if parts.get("Signature") != wanted:
            return self.refuse(403, "SignatureDoesNotMatch", "the signature does not match")
        request = json.loads(body)
        queue = request.get("QueueUrl", "")
        if not queue.startswith(f"http://{headers['host']}/"):
            return self.refuse(400, "QueueDoesNotExist", f"no queue {queue}")
        message = request["MessageBody"]
        with lock:
            queues.setdefault(queue, []).append(message)
        self.reply(200, {"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": hashlib.md5(message.encode()).hexdigest()})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
