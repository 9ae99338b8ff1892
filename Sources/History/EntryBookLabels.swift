/// The Japanese words of the printed entry book (入退室管理簿): reason codes, alarms and door actions.
///
/// The codes are those the gateway writes (`door.refused` reasons are the card decision's and the door's refusal
/// codes; alarms are `forced-open` and `held-open`). A code that is not listed is shown as it is.
public enum EntryBookLabels {
    /// The label of a refusal reason code, e.g. `no-grant` → 入室許可なし.
    public static func refusal(_ code: String?) -> String {
        guard let code else { return "理由不明" }
        return refusals[code] ?? code
    }

    /// The label of an alarm (the details' reason), e.g. `forced-open` → 強制開扉.
    public static func alarm(_ code: String) -> String {
        switch code {
        case "forced-open": "強制開扉（こじ開け）"
        case "held-open": "長時間開放"
        default: code
        }
    }

    /// The label of a door action.
    public static func action(_ kind: EntryBook.DoorAction.Kind) -> String {
        switch kind {
        case .override: "二人制の解除（単独退室の許可）"
        case .released: "非常開放"
        case .restored: "非常開放の復旧"
        case .emergencyRelease: "全扉の非常開放（指令）"
        case .emergencyRestore: "全扉の復旧（指令）"
        }
    }

    /// Refusal reason codes and their labels.
    public static let refusals: [String: String] = [
        // The card decision (CardRefusal).
        "unavailable": "照合不能（システム障害）",
        "unknown-card": "未登録のカード",
        "not-genuine": "真正性確認の失敗（複製の疑い）",
        "revoked": "失効したカード",
        "suspended": "利用停止中のカード",
        "blocked": "暗証番号ロック中のカード",
        "card-expired": "有効期限切れのカード",
        "pin-change-required": "初期暗証番号が未変更",
        "operator-inactive": "操作者の登録が無効・期間外",
        "not-allowed-on-terminal": "端末の割当なし",
        "no-grant": "入室許可なし",
        "outside-hours": "許可時間外",
        "grant-expired": "入室許可の期限切れ",
        "grant-not-yet-valid": "入室許可の期間前",
        "holiday": "休日（許可対象外）",
        "no-administrative-role": "管理権限なし",
        // The door (DoorRefusal).
        "pin-wrong": "暗証番号の誤り",
        "pin-blocked": "暗証番号の誤りによるロック",
        "pin-timeout": "暗証番号の入力時間切れ",
        "anti-passback": "アンチパスバック違反（入退室の順序）",
        "superseded": "別のカードにより中断",
        "reader-lost": "読取装置の障害",
        "occupancy-limit": "在室人数の上限",
        "two-person-timeout": "二人制：二人目の認証なし",
        "two-person-same-person": "二人制：同一人物のカード",
        "two-person-rule": "二人制：一人が残る退室",
        "not-an-escort": "立会いの権限なし",
    ]
}
