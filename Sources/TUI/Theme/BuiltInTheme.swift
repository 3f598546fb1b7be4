extension Theme {
    /// A copy of themes/default compiled in, so the binary has a theme wherever it is installed.
    /// A test keeps it identical to the shipped file.
    static let builtInDefaultText = #"""
# mailbag theme: default
# Format: one style per line,  STYLE = [FOREGROUND] [on BACKGROUND] [ATTRIBUTE ...]
#   colours:    default (the terminal's own), black red green yellow blue magenta cyan white,
#               bright-black … bright-white, 0-255 (xterm 256-colour index), colorN, #rrggbb
#   attributes: bold dim italic underline reverse standout
# Lines starting with # are comments. Styles left out keep the built-in default.
# With fewer than 256 colours each colour becomes the nearest of the basic eight; with NO_COLOR
# set only the attributes are used (a style set apart by its background turns to reverse video).
# Copy this file to ~/.config/mailbag/themes/NAME, edit it, and run `mailbag --theme NAME`.
# Styles: see themes/README.md.

# Index
index.row          = default
index.selected     = 231 on 24 bold
index.marked       = 203
index.tagged       = 214 bold
index.new          = 114 bold
index.unread       = bold
index.flagged      = 170

# Bars and the bottom line
title              = 252 on 237
status             = 231 on 31 bold
notice             = 250
prompt             = 222 bold
error              = 231 on 124 bold

# Pager
pager.text         = default
pager.header.name  = 110 bold
pager.header.value = 252
quote.1            = 108
quote.2            = 139
quote.3            = 180
signature          = 244
link               = 75 underline
attachment         = 179
search.match       = 16 on 221

# Help
help.section       = 110 bold
help.key           = 222 bold
help.text          = default
"""#

    public static let builtInDefault: Theme = {
        do {
            return try Theme.parse(builtInDefaultText, name: "default", file: "(built-in default)")
        } catch {
            preconditionFailure("The built-in default theme does not parse: \(error)")
        }
    }()
}
