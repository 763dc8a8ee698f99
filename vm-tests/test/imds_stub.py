#!/usr/bin/env python3
"""A local stand-in for EC2's IMDSv2, for the client tests: PUT /latest/api/token, then
GET /latest/dynamic/instance-identity/document with the token (401 without it).

    imds_stub.py PORT INSTANCE_ID INSTANCE_TYPE REGION ARCH
"""
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, INSTANCE_ID, INSTANCE_TYPE, REGION, ARCH = sys.argv[1:6]
TOKENS = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self._send(400, "bad token request")
        token = secrets.token_hex(16)
        TOKENS.add(token)
        return self._send(200, token)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") not in TOKENS:
            return self._send(401, "")
        if self.path == "/latest/dynamic/instance-identity/document":
            doc = {"accountId": "000000000000", "architecture": ARCH, "availabilityZone": REGION + "a",
                   "imageId": "ami-0123456789abcdef0", "instanceId": INSTANCE_ID, "instanceType": INSTANCE_TYPE,
                   "pendingTime": "2026-05-20T10:00:00Z", "privateIp": "10.0.0.10", "region": REGION,
                   "version": "2017-09-30"}
            return self._send(200, json.dumps(doc, indent=2), "application/json")
        return self._send(404, "")


ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
