#!/usr/bin/env python3
"""An OTLP/HTTP trace receiver for the end-to-end tests (TicketingEndToEndTests/TracingTests).

Listens on 127.0.0.1 on a free port, prints `listening on http://127.0.0.1:<port>`, then accepts
`POST /v1/traces` in either OTLP/HTTP encoding (protobuf, or JSON) — gzip-compressed or not — decodes it with
the OpenTelemetry protocol's own message types (opentelemetry-proto), and prints one JSON line per span: its
service, name, kind, trace id, span id, parent span id and attributes. Anything else is answered 404.
"""

import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2


def value(any_value):
    """A span attribute's value as plain JSON."""
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path != "/v1/traces":
            self.send_error(404)
            return
        if self.headers.get("content-encoding", "") == "gzip":
            body = gzip.decompress(body)
        request = trace_service_pb2.ExportTraceServiceRequest()
        json_encoded = "json" in self.headers.get("content-type", "")
        try:
            if json_encoded:
                json_format.Parse(body, request)
            else:
                request.ParseFromString(body)
        except Exception as error:  # noqa: BLE001 - a bad request is answered, not fatal
            self.send_error(400, str(error))
            return
        for resource_spans in request.resource_spans:
            attributes = {a.key: value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    line = {
                        "service": attributes.get("service.name"),
                        "name": span.name,
                        "kind": trace_pb2.Span.SpanKind.Name(span.kind),
                        "traceId": span.trace_id.hex(),
                        "spanId": span.span_id.hex(),
                        "parentSpanId": span.parent_span_id.hex(),
                        "status": trace_pb2.Status.StatusCode.Name(span.status.code),
                        "attributes": {a.key: value(a.value) for a in span.attributes},
                    }
                    print(json.dumps(line), flush=True)
        reply = trace_service_pb2.ExportTraceServiceResponse()
        payload = json_format.MessageToJson(reply).encode() if json_encoded else reply.SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/json" if json_encoded else "application/x-protobuf")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
