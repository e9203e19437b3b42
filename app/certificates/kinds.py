"""The certificates a counter issues (standard-spec j1000). The kinds, their titles and their
certification statements (認証文) are the register's rules and live in `domain.certificate_rules`,
where the counter, the kiosk and the registry check them; this module names them for the renderer."""
from domain.certificate_rules import CertificateKind  # noqa: F401
