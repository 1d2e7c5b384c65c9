#!/usr/bin/python3
"""Peer for bench/sigv4_bench.cpp: botocore's SigV4Auth (as shipped in Debian's awscli) signing
the same request. Prints nanoseconds per signature on stdout."""
import sys
import time

import awscli  # noqa: F401  (Debian's awscli v2 makes its vendored botocore importable)
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
signer = SigV4Auth(creds, "lambda", "eu-west-1")
body = b'{"MemorySize":512,"Timeout":60,"Environment":{"Variables":{"A":"1","B":"2"}}}'
url = ("https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/"
       "mgraph_ai_service_github_digest__dev/configuration")


def once():
    req = AWSRequest(method="PUT", url=url, data=body,
                     headers={"Content-Type": "application/json", "User-Agent": "lambdeploy/0.1"})
    signer.add_auth(req)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
for _ in range(1000):
    once()
start = time.perf_counter_ns()
for _ in range(n):
    once()
print((time.perf_counter_ns() - start) / n)
