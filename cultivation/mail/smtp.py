"""SMTP delivery with timeouts, telling apart failures that are safe to retry from those whose
outcome is unknown (the connection dropped after the message data was handed over)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from cultivation.settings import MailSettings

log = logging.getLogger(__name__)


class SendError(Exception):
    """A failed send. ``connection``: server unreachable (nothing delivered); ``permanent``: a 5xx
    refusal (retrying will not help); ``uncertain``: the server may have accepted the message."""

    def __init__(self, message: str, *, connection: bool = False, permanent: bool = False,
                 uncertain: bool = False) -> None:
        super().__init__(message)
        self.connection = connection
        self.permanent = permanent
        self.uncertain = uncertain


class SmtpSender:
    """One SMTP connection reused for a dispatch round; opened on the first ``send``."""

    def __init__(self, settings: MailSettings) -> None:
        self.host = settings.host
        self.port = settings.port
        self.use_ssl = settings.use_ssl
        self.use_tls = settings.use_tls
        self.username = settings.username
        self.password = settings.password
        self.timeout = settings.timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            smtp: smtplib.SMTP
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(str(self.username), str(self.password or ""))
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"邮件服务器拒绝登录（{exc.smtp_code}）：请检查用户名和密码",
                            connection=True) from exc
        except OSError as exc:  # includes every smtplib.SMTPException and socket timeouts
            raise SendError(f"无法连接邮件服务器 {self.host}:{self.port}：{exc}",
                            connection=True) from exc
        return smtp

    def send(self, msg: EmailMessage, *, sender: str, recipient: str) -> None:
        """Deliver one message; raise ``SendError`` classified for the retry policy."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        phase = "envelope"
        try:
            code, resp = smtp.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, resp, sender)
            code, resp = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, resp)})
            phase = "data"
            smtp.data(msg.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise SendError(f"邮件服务器拒收（{exc.smtp_code}）：{_text(exc.smtp_error)}",
                            permanent=500 <= exc.smtp_code < 600) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            code, resp = next(iter(exc.recipients.values()))
            raise SendError(f"收件人被拒收（{code}）：{_text(resp)}",
                            permanent=500 <= code < 600) from exc
        except OSError as exc:
            self.close()
            if phase == "data":
                raise SendError(f"发送过程中连接中断，服务器可能已收到邮件：{exc}",
                                uncertain=True) from exc
            raise SendError(f"与邮件服务器的连接中断：{exc}", connection=True) from exc

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except OSError:
            self.close()

    def close(self) -> None:
        """Say QUIT if the connection still lives; never raise."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except OSError:
            smtp.close()


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
