"""Every text the kiosk's screens show, in Japanese and English, in one table. Screens ask
`t(key, **values)`; the resident's language toggle switches the whole table at once."""
from __future__ import annotations

LANGUAGES = ("ja", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # the frame
    "app_title": ("千葉市　証明書交付機", "Chiba City — certificate kiosk"),
    "lang_button": ("English", "日本語"),
    "steps": ("カード,暗証番号,選ぶ,確認,印刷", "Card,PIN,Choose,Check,Print"),
    # 1. attract
    "attract_title": ("カードを置いてください", "Place your card here"),
    "attract_sub": ("マイナンバーカードで、住民票の写しを発行できます", "Print a copy of your residence record (住民票の写し) with your My Number card"),
    "attract_note": ("印刷が終わるまで、カードは置いたままにしてください", "Leave the card on the reader until printing has finished"),
    "attract_again": ("カードを一度取り、もう一度置いてください", "Please take the card off and place it again"),
    "checking": ("カードを確認しています", "Checking your card"),
    "please_wait": ("しばらくお待ちください", "Please wait"),
    # 2. PIN
    "pin_title": ("暗証番号（数字4桁）を入力してください", "Enter your 4-digit PIN"),
    "pin_which": ("利用者証明用電子証明書の暗証番号です", "The PIN of the card's user certificate (利用者証明用)"),
    "pin_tries": ("暗証番号の残り回数　{n}回", "PIN tries left: {n}"),
    "pin_last": ("残り1回です。間違えるとカードがロックされます。\n分からない場合は入力せず、窓口へお越しください",
                 "Only 1 try left. A wrong PIN locks the card.\nIf you are not sure, do not enter it: please go to the counter."),
    "pin_wrong": ("暗証番号が違います", "Wrong PIN"),
    "clear": ("訂正", "Clear"),
    "ok": ("確定", "OK"),
    "cancel": ("やめる", "Cancel"),
    "identifying": ("本人確認をしています", "Confirming your identity"),
    # 3. choose
    "choose_title": ("住民票の写し", "Copy of residence record"),
    "choose_who": ("記載する人", "Who is on it"),
    "only_me": ("本人のみ", "Only me"),
    "everyone": ("世帯全員", "Whole household"),
    "choose_items": ("記載する事項（必要なものだけ）", "Optional items (only if needed)"),
    "item_domicile": ("本籍・筆頭者", "Registered domicile and its head"),
    "item_householder": ("世帯主・続柄", "Head of household and relationship"),
    "items_note": ("個人番号・住民票コードの記載が必要な方は、窓口でお申し込みください",
                   "For the My Number or the resident code on it, please apply at the counter"),
    "copies": ("部数", "Copies"),
    "fee_line": ("手数料　{each}円 × {n}通 ＝ {total}円", "Fee: ¥{each} × {n} = ¥{total}"),
    "next": ("次へ", "Next"),
    "need_someone": ("記載する人を1人以上選んでください", "Please choose at least one person"),
    # 4. confirm
    "confirm_title": ("内容を確認してください", "Please check"),
    "confirm_kind": ("証明書", "Certificate"),
    "confirm_people": ("記載する人", "On it"),
    "confirm_items": ("記載する事項", "Optional items"),
    "confirm_copies": ("部数", "Copies"),
    "copies_value": ("{n}通", "{n}"),
    "none": ("なし", "none"),
    "confirm_fee": ("手数料", "Fee"),
    "yen": ("{n}円", "¥{n}"),
    "confirm_pay": ("手数料は、印刷のあとにお渡しする受付番号で、会計窓口でお支払いください",
                    "You pay the fee at the cashier's window with the receipt number shown after printing"),
    "back": ("戻る", "Back"),
    "issue": ("発行する", "Print"),
    # 5. printing, the card, the receipt
    "printing": ("印刷しています", "Printing"),
    "printing_sub": ("しばらくお待ちください。カードはそのままにしてください", "Please wait. Leave your card on the reader."),
    "take_card": ("カードをお取りください", "Please take your card"),
    "take_printed": ("証明書{n}通を印刷しました。取り出し口からお取りください", "{n} certificate(s) printed. Please take them from the tray."),
    "receipt_label": ("受付番号", "Receipt number"),
    "receipt_tell": ("この番号を会計窓口でお伝えください", "Please give this number at the cashier's window"),
    "amount_due": ("お支払い　{total}円", "Amount due: ¥{total}"),
    "print_failed": ("印刷できなかった証明書があります（{printed}通を印刷）。この画面のまま、係員にお申し出ください",
                     "Some certificates could not be printed ({printed} printed). Please tell a staff member."),
    "thanks": ("ありがとうございました", "Thank you"),
    "finish": ("終わる", "Finish"),
    # messages
    "unavailable_title": ("ただいま証明書を発行できません", "Certificates cannot be issued here right now"),
    "unavailable_stale": ("最新の住民記録を確認できないためです", "The records could not be confirmed as up to date."),
    "unavailable_offline": ("登録サーバーに接続できないためです", "The city's registry cannot be reached."),
    "unavailable_not_configured": ("端末の設定を確認中のためです", "This kiosk is being checked."),
    "unavailable_no_data": ("準備中のためです", "This kiosk is being prepared."),
    "go_counter": ("お手数ですが、窓口でお手続きください", "Please go to the counter."),
    "refused_title": ("こちらでは発行できません", "This cannot be issued here"),
    "locked_title": ("カードの暗証番号がロックされています", "The card's PIN is locked"),
    "locked_body": ("暗証番号の再設定は、お住まいの市区町村の窓口で行えます", "The PIN can be reset at the counter of your city office."),
    "removed_title": ("カードが取り外されました", "The card was removed"),
    "removed_body": ("はじめからやり直してください", "Please start again."),
    "card_error_title": ("カードを読み取れませんでした", "The card could not be read"),
    "card_error_body": ("カードを置き直して、もう一度お試しください", "Please place the card again and try once more."),
    "not_my_number": ("マイナンバーカードを置いてください", "Please place a My Number card."),
    "certificate_refused": ("このカードの電子証明書は、ここでは使えません（有効期限切れ・失効など）", "The certificate on this card cannot be used here (expired or revoked)."),
    "payment_failed_title": ("お支払いの手続きができませんでした", "The fee could not be paid"),
    "payment_failed_body": ("証明書は印刷していません", "Nothing was printed."),
    "error_title": ("処理を続けられませんでした", "Something went wrong"),
    "start_over": ("はじめに戻る", "Back to start"),
    "timeout_title": ("操作がなかったため、はじめに戻ります", "No activity: starting over"),
    # the administrator
    "admin_title": ("管理者", "Administrator"),
    "admin_prompt": ("管理者の暗証番号を入力してください", "Enter the administrator PIN"),
    "admin_wrong": ("暗証番号が違います", "Wrong PIN"),
    "admin_exit": ("終了する", "Exit the kiosk"),
    "admin_locked": ("入力を続けて間違えたため、しばらく入力できません", "Too many wrong PINs: please wait a while"),
    "admin_none": ("管理者の暗証番号が設定されていません", "No administrator PIN is set"),
}


class Texts:
    """The table in one language; `toggle()` switches between Japanese and English."""

    def __init__(self, language: str = "ja"):
        self.language = language if language in LANGUAGES else "ja"

    @property
    def index(self) -> int:
        return LANGUAGES.index(self.language)

    def __call__(self, key: str, **values) -> str:
        text = TEXTS[key][self.index]
        return text.format(**{k: (f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in values.items()}) if values else text

    def toggle(self) -> None:
        self.language = "en" if self.language == "ja" else "ja"
