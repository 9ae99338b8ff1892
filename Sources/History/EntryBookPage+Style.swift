extension EntryBookPage {
    /// The page's style: A4 with CSS paged media (page numbers `1 / N` at the bottom centre, the room at the bottom
    /// left), table headers repeated on each page, no page break inside a row, Japanese fonts of the system.
    /// Nothing in it comes from the history: the room reaches the page footer through `string-set`, not through CSS text.
    static let style = """
    @page {
      size: A4;
      margin: 14mm 12mm 16mm 12mm;
      @bottom-left { content: "入退室管理簿　" string(room); font-size: 7.5pt; color: #333; }
      @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; }
      @bottom-right { content: "印刷日 " string(printed); font-size: 7.5pt; color: #333; }
    }
    html {
      font-family: "IPAexGothic", "IPAGothic", "Noto Sans CJK JP", sans-serif;
      font-size: 8.5pt; line-height: 1.35; color: #000;
      -webkit-print-color-adjust: exact; print-color-adjust: exact;
    }
    body { margin: 0; }
    h1 { font-size: 18pt; letter-spacing: 0.4em; margin: 2mm 0 0 0; font-weight: bold; }
    .subtitle { font-size: 9pt; margin: 0 0 3mm 0; color: #333; letter-spacing: 0.05em; }
    .en { font-size: 6.5pt; font-weight: normal; color: #333; letter-spacing: 0; }
    h2 .en { font-size: 8pt; margin-left: 2mm; }
    table.book th .en { display: block; white-space: normal; }
    .room { string-set: room content(); }
    .printed { string-set: printed content(); }
    table.stamps { float: right; border-collapse: collapse; margin: 0 0 3mm 6mm; }
    table.stamps caption { font-size: 8pt; text-align: center; padding-bottom: 1mm; }
    table.stamps th { width: 20mm; height: 5mm; padding: 0; border: 0.6pt solid #000; font-size: 8pt; font-weight: normal; text-align: center; }
    table.stamps td { width: 20mm; height: 20mm; padding: 0; border: 0.6pt solid #000; }
    table.meta { border-collapse: collapse; font-size: 9.5pt; }
    table.meta th { text-align: left; font-weight: normal; padding: 0.6mm 5mm 0.6mm 0; white-space: nowrap; vertical-align: top; }
    table.meta td { padding: 0.6mm 0; }
    .summary { clear: both; margin: 3mm 0 0 0; padding: 1.5mm 2mm; border: 0.6pt solid #000; }
    .notice { margin: 2mm 0 0 0; padding: 1.5mm 2mm; border: 0.6pt dashed #000; }
    h2 { font-size: 11pt; margin: 6mm 0 2mm 0; padding-left: 2mm; border-left: 3pt solid #000; break-after: avoid; page-break-after: avoid; }
    h2 .count { font-size: 8.5pt; font-weight: normal; margin-left: 2mm; }
    table.book { width: 100%; border-collapse: collapse; table-layout: fixed; }
    table.book th, table.book td { border: 0.5pt solid #000; padding: 0.8mm 1.2mm; vertical-align: top; overflow-wrap: anywhere; }
    table.book th { background: #e6e6e6; font-weight: bold; text-align: center; white-space: nowrap; }
    thead { display: table-header-group; }
    tr, td, th { break-inside: avoid; page-break-inside: avoid; }
    td.time { text-align: center; white-space: nowrap; }
    td.num { text-align: right; white-space: nowrap; }
    td.card { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
    td.none { text-align: center; color: #444; }
    tbody.day-start { break-inside: avoid; page-break-inside: avoid; }
    tr.day td { background: #f2f2f2; font-weight: bold; padding-top: 1mm; padding-bottom: 1mm; break-after: avoid; page-break-after: avoid; }
    .id, .code { font-size: 7pt; color: #333; }
    .closing { margin-top: 6mm; font-size: 7.5pt; color: #222; break-inside: avoid; page-break-inside: avoid; }
    .closing p { margin: 0.5mm 0; }
    @media screen {
      body { max-width: 186mm; margin: 10mm auto; }
    }
    """
}
