"""A real DNS server on loopback (UDP, dnspython's wire format) answering the TXT records a test publishes."""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


class TxtServer:
    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.socket.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def publish(self, name: str, value: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).append(value)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.socket.close()

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.socket.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            for question in query.question:
                values = self.records.get(question.name.to_text().lower().rstrip("."))
                if question.rdtype == dns.rdatatype.TXT and values:
                    quoted = [f'"{value}"' for value in values]
                    response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", *quoted))
                else:
                    response.set_rcode(dns.rcode.NXDOMAIN)
            self.socket.sendto(response.to_wire(), peer)
