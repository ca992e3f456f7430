"""Typical HTTP header blocks the sandbox parses: shared by the fast-header contract test and
its benchmark (``tests/bench_fast_headers.py``).
"""

#: Captured from boto3 1.44.8 (StartExecution), the request line removed.
BOTO3_REQUEST = (
    b"Host: 127.0.0.1:6100\r\n"
    b"Accept-Encoding: identity\r\n"
    b"X-Amz-Target: AWSStepFunctions.StartSyncExecution\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
    b"User-Agent: Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux#6.18.44-fc-v1045 "
    b"md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,N,b,E,Z "
    b"cfg/retry-mode#standard Botocore/1.44.8\r\n"
    b"X-Amz-Date: 20261202T044331Z\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20261202/us-east-1/states/"
    b"aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    b"Signature=1e13d9c99aa9ff7d5134bd1acdc11eb8e160d20ec0c6fd79f832de5aafb28791\r\n"
    b"amz-sdk-invocation-id: beeaf3fa-ebb2-41d5-b2b8-31de6374137d\r\n"
    b"amz-sdk-request: attempt=1; max=3\r\n"
    b"Content-Length: 93\r\n"
    b"\r\n"
)

#: What ``lab.sandbox.stepfunctions.transport`` sends to the data plane (http.client).
TRANSPORT_REQUEST = (
    b"Host: abc1234567-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com\r\n"
    b"Content-Type: application/json; charset=UTF-8\r\n"
    b"x-api-key: lab-api-key-0123456789abcdefghijklmnopqrstuv\r\n"
    b"x-lab-execution: 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f\r\n"
    b"x-lab-source-vpce: vpce-0123456789abcdef0\r\n"
    b"x-lab-network-path: 4b6f1e0f9d3c2a1b0e9f8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

#: What the data plane answers through lab.sandbox.keepalive (the status line removed).
DATAPLANE_RESPONSE = (
    b"Server: Werkzeug/3.1.3 Python/3.11.7\r\n"
    b"Date: Wed, 02 Dec 2026 04:43:31 GMT\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 38\r\n"
    b"x-amzn-RequestId: 0f6c8a52-8d9b-4f0e-9d43-2c1b7a6e5d40\r\n"
    b"x-amz-apigw-id: 4c3b2a19f8e7d6c5\r\n"
    b"\r\n"
)
