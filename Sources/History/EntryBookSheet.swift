import Foundation

/// The tables of the printed entry book, before they become HTML or text: each section has a Japanese heading with an
/// English subtitle, its columns, and its rows grouped by day (a row carries the day it belongs to). Cells hold plain
/// text; the renderers escape it (HTML) or align it (text).
struct EntryBookSheet: Sendable {
    /// How a column's cells are set.
    enum Alignment: Sendable {
        /// Left, wrapping.
        case text
        /// Centred, one line (times).
        case time
        /// Right, one line (durations, counts).
        case number
        /// Monospaced (card GUIDs).
        case card
    }

    /// A column: the heading in Japanese and English, and its share of the page width in percent.
    struct Column: Sendable {
        let japanese: String
        let english: String
        let width: Int
        let alignment: Alignment

        init(_ japanese: String, _ english: String, _ width: Int, _ alignment: Alignment = .text) {
            self.japanese = japanese
            self.english = english
            self.width = width
            self.alignment = alignment
        }
    }

    /// One line of a cell.
    struct Line: Sendable, Equatable {
        /// How the line is shown.
        enum Style: Sendable, Equatable {
            /// Ordinary text.
            case main
            /// Small, under the main text: an operator id beneath a name, a code beneath its label.
            case sub
            /// A visitor's name.
            case visitor
        }

        let text: String
        let style: Style

        init(_ text: String, _ style: Style = .main) {
            self.text = text
            self.style = style
        }
    }

    /// A cell: zero or more lines.
    typealias Cell = [Line]

    /// A row, and the day (midnight in the book's time zone) it is listed under; nil for rows not grouped by day.
    struct Row: Sendable {
        let day: Date?
        let cells: [Cell]
    }

    /// A section of the book.
    struct Section: Sendable {
        /// The HTML id of the section (`stays`, `visitors`, `refusals`, `alarms`, `actions`, `days`).
        let id: String
        let japanese: String
        let english: String
        let columns: [Column]
        let rows: [Row]
        /// How rows are counted in the heading (件, 名, 日).
        let counter: String
    }

    /// The sections, in the order they are printed.
    let sections: [Section]

    /// A cell of one plain line (empty text gives an empty cell).
    static func cell(_ text: String?) -> Cell {
        guard let text, !text.isEmpty else { return [] }
        return [Line(text)]
    }
}
