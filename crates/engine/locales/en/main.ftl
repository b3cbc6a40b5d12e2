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
    /quiz — knowledge checks
    /progress — my progress
    /profile — my profile
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
main-menu-required = ⭐ — required for your department
cmd-quiz = Knowledge checks
cmd-progress = My progress
cmd-profile = My profile
cancel-done = Cancelled. Here is the main menu.
onboarding-step-1 = Step 1 of 3
onboarding-step-2 = Step 2 of 3
onboarding-step-3 = Step 3 of 3
ask-park = Which park do you work in?
ask-department = Which department do you work in?
ask-position = Type your position in one message (e.g. "bartender" or "senior instructor").
btn-skip = Skip ⏭
btn-clear = Not specified
btn-profile-back = ⬅️ Profile
position-empty = Please type your position in words.
position-too-long = Too long: { $length } characters, at most { $max }.
profile-saved = Saved.
onboarding-done = Thank you! Your profile is filled in; change it any time with /profile.
profile-title = 👤 My profile
profile-name = Name
profile-park = Park
profile-department = Department
profile-position = Position
profile-language = Language
profile-unset = not specified
language-name = English
btn-edit-park = 🏢 Park
btn-edit-department = 🧩 Department
btn-edit-position = 💼 Position
btn-profile = 👤 Profile
btn-progress = 📊 My progress
btn-quizzes = 📝 Knowledge checks
btn-review = 🔁 Review ({ $n })
btn-submit = ✅ Answer
btn-result = 📋 Result
btn-next-question = Next question ▶️
btn-retry = 🔁 Try again
quizzes-title = 📝 Knowledge checks
quizzes-hint = ⭐ required for your department, ✅ already passed.
quiz-finish-first = Finish the check you started first.
quiz-attempts-used = All attempts are used ({ $max }). Please talk to your manager.
quiz-cooldown = The next attempt opens { $when }.
quiz-progress = Question { $n } of { $total }
quiz-deadline = ⏱ Answer by { $when }
quiz-choose-all = Tick every right option, then press "Answer".
quiz-choose-one = Tick at least one option.
quiz-already-answered = You have already answered this question.
quiz-time-up = Time is up.
quiz-correct = ✅ Right!
quiz-wrong = ❌ Wrong.
quiz-right-answer = Right answer: { $answer }
quiz-score = Score: { $score } of { $max } ({ $percent }%)
quiz-passed = ✅ Passed (needed { $need }%)
quiz-failed = ❌ Not passed: { $need }% needed
quiz-mistakes = Mistakes:
quiz-more-mistakes = …and { $n } more
quiz-unanswered = Not answered: { $n }
review-title = 🔁 Review
review-nothing = Nothing to review right now.
review-done = Review finished. Questions you missed will come back later.
progress-no-department = Choose your department in your profile, and your training plan appears here.
progress-title = 📊 My progress: { $department }
progress-pages = 📄 Pages read: { $read } of { $total }
progress-quizzes = 📝 Checks passed: { $passed } of { $total }
progress-deadline = ⏳ Deadline: { $date } ({ $days } { $days ->
        [one] day
        *[other] days
    } left)
progress-overdue = ⏳ The deadline was { $date }: { $days } { $days ->
        [one] day
        *[other] days
    } overdue
progress-reviews = 🔁 Questions to review: { $n }
progress-complete = 🎓 Training complete!
progress-certificate = Certificate code: { $code }
cert-title = Certificate
cert-department = Department: { $value }
cert-park = Park: { $value }
cert-date = Date: { $value }
cert-code = Verification code
cert-caption = 🎓 Congratulations! You have completed your training. Certificate verification code: { $code }
verify-usage = Type: /verify CODE (for example /verify TB-7K2QX9AB).
verify-found = Certificate { $code } is valid
verify-not-found = Certificate { $code } was not found.
reminder-title = 🔔 Training reminder
reminder-behind = Pages left to read: { $pages }; checks left to pass: { $quizzes }.
reminder-deadline = { $days } { $days ->
        [one] day
        *[other] days
    } to the deadline.
reminder-overdue = The deadline passed { $days } { $days ->
        [one] day
        *[other] days
    } ago.
reminder-reviews = Questions to review: { $n }.
admin-password-prompt = 🔐 Type the admin password in one message. The message with the password is deleted at once. /cancel to stop.
admin-welcome = ✅ Logged in.
admin-wrong-password = Wrong password. Attempts left before a lockout: { $left }. Type the password again or /cancel.
admin-locked-now = Too many wrong attempts. Login is locked for { $minutes } min.
admin-locked = Login is locked for a while after wrong attempts. Please try later.
admin-busy = Too many login attempts right now. Please try in a minute.
admin-unavailable = Login is unavailable right now. Please try later.
admin-session-expired = Your session has expired. Send /admin to log in again.
admin-logged-out = You have logged out of the admin panel.
admin-panel-title = 🛠 Admin panel
btn-admin-stats = 📊 Statistics
btn-admin-audit = 🧾 Audit log
btn-admin-logout = 🚪 Log out
btn-admin-panel = ⬅️ Panel
btn-admin-older = ◀️ Older
admin-stats-title = 📊 Statistics
admin-stats-total = Staff in total
admin-stats-today = Active in the last day
admin-stats-7d = Active in 7 days
admin-stats-30d = Active in 30 days
admin-stats-new = New in 7 days
admin-stats-blocked = Blocked by an admin
admin-stats-inactive = Blocked the bot
admin-stats-by-park = By park
admin-stats-by-department = By department
admin-audit-title = 🧾 Audit log
admin-audit-empty = No entries yet.
error-internal = Something went wrong. Please try again in a minute.
btn-admin-people = 👥 People
btn-admin-block = ⛔ Block
btn-admin-unblock = ✅ Unblock
btn-admin-back-person = ⬅️ Card
admin-people-title = 👥 People: { $total }
admin-people-empty = Nobody here.
admin-filter-any = All
admin-filter-active = Active
admin-filter-blocked = Blocked
admin-filter-inactive = Left
admin-person-id = ID
admin-person-username = Username
admin-person-first-seen = First seen
admin-person-last-seen = Last seen
admin-person-status = Status
admin-person-pages = Pages read
admin-status-active = active
admin-status-blocked = blocked by an admin
admin-status-inactive = blocked the bot
admin-person-unknown = There is no such person.
admin-block-reason = Type the reason for blocking in one message (the person will see it).
admin-block-reason-length = The reason must be 1 to { $max } characters. Please type it again.
person-blocked-notice = An admin has closed your access to the training bot.
person-blocked-reason = Reason: { $reason }
person-unblocked-notice = Your access to the training bot is open again. Send /menu.

## Exports and personal data
cmd-privacy = My data and privacy
btn-admin-exports = 📤 Exports
admin-exports-title = 📤 Exports
admin-exports-text = Each export arrives as a CSV file (UTF-8, opens in Excel). Times in the files are UTC. Activity: choose the period.
btn-export-people = 👥 People
btn-export-quiz-results = 📝 Quiz results
btn-export-activity-today = Today
btn-export-activity-7d = 7 days
btn-export-activity-30d = 30 days
btn-export-activity-all = All time
btn-export-audit = 🧾 Audit log
export-caption-people = People, { $date } (times in UTC)
export-caption-activity-today = Activity today, { $date } (times in UTC)
export-caption-activity-7d = Activity in the last 7 days, to { $date } (times in UTC)
export-caption-activity-30d = Activity in the last 30 days, to { $date } (times in UTC)
export-caption-activity-all = All activity, to { $date } (times in UTC)
export-caption-quiz-results = Quiz results, { $date } (times in UTC)
export-caption-audit = Audit log, { $date } (times in UTC)
export-caption-person = Everything stored about one person, { $date } (times in UTC)
admin-export-too-fast = One export at a time: please wait { $seconds } seconds before the next one.
admin-export-failed = The export could not be prepared. Please try again later.
btn-admin-export-person = 📤 Export data
btn-admin-erase = 🗑 Erase
btn-admin-erase-confirm = 🗑 Yes, erase
admin-person-deletion-requested = 🗑 Asked for deletion on { $date }
admin-erase-confirm = Erase { $name } (ID { $id })? Their profile, names, certificates and review schedule are deleted; their activity and quiz results stay in the statistics without a name. This cannot be undone.
admin-erased = Erased person { $id }. Kept without a name for the statistics: activity records: { $activity }, quiz attempts: { $attempts }.
privacy-title = 🔒 My data
privacy-intro = This is everything the bot stores about you:
privacy-telegram-id = Telegram ID
privacy-activity = Pages and sections opened (records)
privacy-attempts = Knowledge check attempts
privacy-answers = Answers given
privacy-reviews = Questions scheduled for review
privacy-certificates = Certificates
privacy-deletion-explained = You can ask for your data to be deleted. An administrator then erases your profile, name, username, certificates and review schedule; your activity and quiz results stay only as anonymous numbers in the statistics.
btn-request-deletion = 🗑 Request deletion
privacy-deletion-received = Your request has been received.
privacy-deletion-pending = 🗑 You asked for deletion on { $date }. An administrator will erase your data and the bot will tell you when it is done. If you write to the bot after that, you start as a new person.
privacy-erased-notice = Your data has been deleted from the training bot. If you write to the bot again, you start as a new person.
