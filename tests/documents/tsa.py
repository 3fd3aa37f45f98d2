"""A local RFC 3161 time-stamp authority served over HTTP on 127.0.0.1 for the suite.

pyHanko's ``DummyTimeStamper`` answers each request with a real signed token (RSA, the TSA's own
self-signed certificate with the timeStamping extended key usage); ``http.server`` serves it at
``/``, so the product reaches it through pyHanko's HTTP client exactly as it reaches a real TSA.
Two more paths misbehave on purpose: ``/garbage`` answers bytes that are no TimeStampResp, and
``/rejection`` a well-formed answer that grants nothing.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, tsp, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from lims.documents.signing import self_signed_certificate

TSA_NAME = "Testiaikaleimapalvelu"
REPLY_TYPE = "application/timestamp-reply"


@dataclass
class LocalTsa:
    """Where the local TSA listens, its certificate, and the paths asked so far."""

    url: str
    certificate_path: Path
    certificate: x509.Certificate
    requests: list[str] = field(default_factory=list)


@contextmanager
def served_tsa(directory: Path) -> Iterator[LocalTsa]:
    """Serve a TSA until the block ends; its certificate is written to ``directory``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _tsa_certificate(key)
    certificate_path = directory / "tsa.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    asn1_certificate = x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_certificate,
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            asked.append(self.path)
            request = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/garbage":
                body = b"<html>not a time-stamp response</html>"
            elif self.path == "/rejection":
                status = tsp.PKIStatusInfo({"status": tsp.PKIStatus("rejection")})
                body = tsp.TimeStampResp({"status": status}).dump()
            else:
                body = stamper.request_tsa_response(tsp.TimeStampReq.load(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", REPLY_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the suite's output is for its failures."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTsa(
            url=f"http://127.0.0.1:{server.server_port}/",
            certificate_path=certificate_path,
            certificate=asn1_certificate,
            requests=asked,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _tsa_certificate(key: rsa.RSAPrivateKey) -> pyca_x509.Certificate:
    return self_signed_certificate(key, common_name=TSA_NAME, days=30, time_stamping=True)
