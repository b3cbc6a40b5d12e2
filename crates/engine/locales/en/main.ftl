# Interface texts, English. Every key here must exist in ru/main.ftl too.
greeting = Hello, { $name }! This is the training bot of our parks: rules, instructions and everything you need for your work.
main-menu-title = Main menu
main-menu-prompt = Choose a section:
section-prompt = Choose a topic:
page-of = Page { $n } of { $total }
part-of = Part { $n } of { $total }
btn-back = ⬅️ Back
btn-home = 🏠 Main menu
btn-prev = ◀️ Previous
btn-next = Next ▶️
btn-prev-part = ◀️ Part { $n }
btn-next-part = Part { $n } ▶️
btn-language = 🌐 Язык / Language
help-title = How to use the bot
help-text =
    • Sections and pages open with the buttons under a message.
    • "⬅️ Back" goes one level up, "🏠 Main menu" goes to the start.
    • Long pages come in parts: use the "Part" buttons.

    Commands:
    /menu — main menu
    /language — interface language
    /cancel — cancel the current action
    /help — this help
cancel-nothing = There is nothing to cancel. Here is the main menu.
unknown-command = There is no such command. See /help or choose a section in the menu.
free-text = I understand buttons and commands. Here is where you left off:
media-unsupported = I don't process files or photos. Here is where you left off:
stale-menu = This menu is out of date. Opening the main menu.
language-prompt = Choose the interface language:
language-set = Language: English
unavailable = The service is temporarily unavailable. Please try again in a minute.
blocked = Your access to the bot is closed. If this is a mistake, contact the park administrator.
cmd-menu = Main menu
cmd-help = How to use the bot
cmd-language = Change language
cmd-cancel = Cancel the current action
cmd-start = Start
