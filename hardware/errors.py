"""Every way a card read or a card authentication can fail, one exception class each.

The house convention: `.message` is the Japanese sentence for the screen (what happened and what
to do), `str(error)` is the English line for the log. Neither ever contains a PIN, and none of
these keeps one: a PIN is passed to the card and forgotten.

    try:
        info = mynumber.read_card(pin)
    except WrongPin as e:      # e.tries_left
    except PinBlocked:
    except CardRemoved:
    except CardError as e:     # every other one: show e.message
"""
from __future__ import annotations


class CardError(Exception):
    """Base of every card failure; `message` (Japanese) for the screen."""

    message: str = "カードの処理中にエラーが発生しました。カードを置き直して、もう一度お試しください。"

    def __init__(self, log_line: str = "", message: str | None = None):
        super().__init__(log_line or type(self).__name__)
        if message is not None:
            self.message = message


# -- readers and the PC/SC service -------------------------------------------------------------


class ReaderServiceUnavailable(CardError):
    """pcscd (or the Windows smart card service) is not running."""

    message = ("カードリーダーのサービス（PC/SC）が動作していません。端末を再起動しても解決しない場合は、"
               "システム担当者に連絡してください。")


class NoReader(CardError):
    """No reader is connected at all."""

    message = "カードリーダーが接続されていません。カードリーダーのUSBケーブルを確認してください。"


class ReaderUnplugged(CardError):
    """The reader went away (unplugged) before or during the read."""

    message = ("カードリーダーが取り外されました（または見つかりません）。カードリーダーを接続し直してから、"
               "もう一度読み取ってください。")


class NoCard(CardError):
    """Readers are there, but no card is on any of them."""

    message = "カードが置かれていません。マイナンバーカードをカードリーダーに置いてください。"


class SeveralCards(CardError):
    """My Number cards on more than one reader: the read would not know whose card to take."""

    message = "複数のカードリーダーにマイナンバーカードが置かれています。読み取るカード1枚だけを置いてください。"


class CardInUse(CardError):
    """Another program holds the card exclusively."""

    message = "カードを別の処理が使用中です。少し待ってから、もう一度読み取ってください。"


class CardRemoved(CardError):
    """The card left the reader in the middle of the read."""

    message = ("読み取りの途中でカードが取り外されました。カードをカードリーダーに置いたまま、"
               "もう一度読み取ってください。")


class NotMyNumberCard(CardError):
    """A card answers, but it has no 券面入力補助AP / JPKI AP: not a My Number card."""

    message = "マイナンバーカードではないカードです。マイナンバーカード（個人番号カード）を置いてください。"


class CardCommunicationError(CardError):
    """The card answered something unexpected, or the reader could not talk to it."""

    message = ("カードを正しく読み取れませんでした。カードを置き直して、もう一度お試しください。"
               "繰り返す場合は、カードが破損している可能性があります。")


class MalformedCardData(CardError):
    """The card's data does not have the structure it must have (TLV, digits, dates)."""

    message = ("カードから読み取ったデータの形式が正しくありません。カードを置き直しても同じ場合は、"
               "カードが破損している可能性があるため、カードの再交付を案内してください。")


class InvalidMyNumber(MalformedCardData):
    """The 12 digits read from the card fail the check digit."""

    message = ("カードから読み取った個人番号の検査数字が正しくありません。カードを置き直しても同じ場合は、"
               "カードの再交付を案内してください。")


# -- PINs -------------------------------------------------------------------------------------


class PinFormatError(CardError):
    """What was typed is not a 4-digit PIN; nothing was sent to the card."""

    message = "暗証番号は数字4桁で入力してください。（カードには送信していません）"


class WrongPin(CardError):
    """The card refused the PIN; `tries_left` more wrong PINs block it."""

    def __init__(self, tries_left: int, what: str = "暗証番号"):
        self.tries_left = tries_left
        if tries_left == 1:
            message = (f"{what}が違います。残り1回です。次に間違えるとカードがロックされ、"
                       "お住まいの市区町村の窓口で暗証番号の再設定が必要になります。")
        else:
            message = f"{what}が違います。あと{tries_left}回間違えるとカードがロックされます。"
        super().__init__(f"wrong PIN, {tries_left} tries left", message)


class PinBlocked(CardError):
    """The PIN is blocked: no VERIFY is sent any more; only the municipality can reset it."""

    message = ("暗証番号の入力を規定の回数間違えたため、このカードの暗証番号はロックされています。"
               "本人確認書類をお持ちのうえ、お住まいの市区町村の窓口で暗証番号の再設定を行ってください。")


# -- JPKI authentication (利用者証明用電子証明書) ----------------------------------------------------


class TrustConfigError(CardError):
    """The terminal's trust anchor or CRL is missing, unreadable or not what it should be."""

    message = ("この端末の電子証明書の検証設定（信頼する認証局の証明書・失効リスト）が読み込めません。"
               "システム担当者に連絡してください。")


class CertificateUntrusted(CardError):
    """The card's certificate does not chain to a configured trust anchor."""

    message = ("カードの利用者証明用電子証明書を確認できませんでした（信頼できる認証局が発行したものではありません）。"
               "この証明書では本人確認ができません。")


class CertificateExpired(CardError):
    """The card's certificate is outside its validity period."""

    message = ("カードの利用者証明用電子証明書の有効期限が切れています。"
               "お住まいの市区町村の窓口で電子証明書の更新を行ってください。")


class CertificateRevoked(CardError):
    """The certificate is on the configured CRL."""

    message = ("カードの利用者証明用電子証明書は失効しています。"
               "お住まいの市区町村の窓口で電子証明書の再発行を行ってください。")


class CrlOutdated(CardError):
    """The configured CRL is past its next update: revocation cannot be checked."""

    message = ("電子証明書の失効情報（失効リスト）が古いため、証明書を確認できません。"
               "システム担当者に失効リストの更新を依頼してください。")


class SignatureMismatch(CardError):
    """The card's signature does not verify with the certificate's key."""

    message = ("カードの署名が電子証明書と一致しません。カードが正しくない可能性があるため、"
               "この方法では本人確認ができません。")
