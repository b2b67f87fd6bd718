"""A real S3-protocol server on loopback (moto's server, in a thread) that the product reaches over HTTP.

Nothing is patched: the product's own boto3 client talks to it through ``RAPPORT_S3_ENDPOINT_URL`` with
signed REST requests, multipart uploads and presigned URLs, as it would to S3. moto does not check
signatures, so these tests prove the protocol, not our credentials.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["S3Server"]


class S3Server:
    REGION = "eu-west-1"
    CREDENTIALS = {"AWS_ACCESS_KEY_ID": "rapport-test-key", "AWS_SECRET_ACCESS_KEY": "rapport-test-secret"}
    """What boto3's credential chain finds in the environment of the tests and of the processes they start."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer  # imported here: half a second no other test should pay

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""
        self._client: Any = None

    def start(self) -> None:
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.stop()

    def client(self) -> Any:
        """A client of the tests' own, to look behind the product's back."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.url,
                region_name=self.REGION,
                aws_access_key_id=self.CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=self.CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
        return self._client

    def create_bucket(self) -> str:
        """A new, empty bucket (one per test keeps tests apart)."""
        name = f"rapport-test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.REGION}
        )
        return name

    def settings(self, bucket: str) -> dict[str, str]:
        """The product's settings for this server and ``bucket``, as keyword arguments."""
        return {
            "files_backend": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": self.url,
            "s3_region": self.REGION,
        }

    def environment(self, bucket: str) -> dict[str, str]:
        """The same as environment variables, with the credentials, for a process the test starts."""
        return {f"RAPPORT_{name.upper()}": value for name, value in self.settings(bucket).items()} | dict(
            self.CREDENTIALS
        )

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", ()))
