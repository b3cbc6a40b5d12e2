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

## Broadcasts
btn-admin-broadcasts = 📣 Broadcasts
broadcast-history-title = 📣 Broadcasts
broadcast-history-empty = No broadcasts yet.
broadcast-history-line = #{ $id } · { $time } · by { $admin } · { $state } · { $sent } of { $total } sent
btn-broadcast-new = ✏️ New broadcast
broadcast-compose-prompt = Send the announcement in one message: text in Markdown (**bold**, *italic*, [link](https://example.com)), or a photo, video or document with the text as its caption. /cancel to stop.
broadcast-empty = An announcement needs text. Please send it again.
broadcast-too-long = The announcement is { $length } characters long; at most { $max } fit. Please shorten it and send it again.
broadcast-bad-markdown = Line { $line }: { $problem } Please send the corrected text.
broadcast-problem-html = HTML tags are not allowed; write **bold** or *italic*, and \< for a literal <.
broadcast-problem-image = pictures cannot go inside the text; send a photo with the text as its caption.
broadcast-problem-footnote = footnotes are not supported; put the note into the text.
broadcast-problem-link = links must start with http://, https://, tg:// or mailto:.
broadcast-preview-above = ⬆️ This is exactly what people will get.
broadcast-audience-title = 👥 Who gets it?
btn-audience-everyone = Everyone
btn-audience-park = By park
btn-audience-department = By department
btn-audience-active = Active recently
btn-audience-behind = Behind on assignments
broadcast-pick-park = Which park?
broadcast-pick-department = Which department?
broadcast-pick-activity = Active within:
btn-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
audience-everyone = everyone
audience-park = park { $name }
audience-department = department { $name }
audience-active = people active in the last { $days } days
audience-behind = people behind on their assignments
broadcast-confirm-title = 📣 Ready to send
broadcast-audience = Audience: { $audience }
broadcast-recipients = Recipients: { $n }
broadcast-starts-now = Starts: right after you confirm
broadcast-starts-at = Starts: { $time } ({ $zone })
broadcast-no-recipients = Nobody matches this audience. Please choose another.
btn-broadcast-send = ✅ Send to { $n }
btn-broadcast-schedule = 🕘 Schedule
btn-broadcast-audience = 👥 Change audience
btn-broadcast-discard = 🗑 Discard
broadcast-discarded = The draft is discarded.
broadcast-no-draft = No announcement is being prepared. Start a new one from Broadcasts.
broadcast-schedule-prompt = When should it start? Type the date and time in { $zone } time, like { $example }.
broadcast-schedule-bad = That is not a time I understand. Please type it like { $example } ({ $zone } time).
broadcast-schedule-range = Please type a time in the future, at most { $days } days ahead, like { $example } ({ $zone } time).
broadcast-status-title = 📣 Broadcast #{ $id }
broadcast-status-state = State: { $state }
broadcast-status-created = Created by { $admin } on { $time }
broadcast-status-rate = Rate: { $rate } messages/s
broadcast-status-finished = Finished: { $time }
broadcast-counts = Sent: { $sent } · Failed: { $failed } · Blocked the bot: { $blocked } · Unknown: { $unknown } · Pending: { $pending }
broadcast-unknown-explained = "Unknown": these were being sent when the sender stopped; they may have arrived and are never sent twice.
broadcast-state-scheduled = scheduled
broadcast-state-running = sending
broadcast-state-paused = paused
broadcast-state-cancelled = cancelled
broadcast-state-done = done
btn-broadcast-refresh = 🔄 Refresh
btn-broadcast-pause = ⏸ Pause
btn-broadcast-resume = ▶️ Resume
btn-broadcast-cancel = ✖️ Cancel
btn-broadcast-status = 📣 Status
broadcast-cancel-confirm = Cancel broadcast #{ $id }? People who have not got it yet will not get it. This cannot be undone.
btn-broadcast-cancel-yes = Yes, cancel it
btn-broadcast-cancel-no = No, keep it
broadcast-unknown = There is no such broadcast.
broadcast-finished = 📣 Broadcast #{ $id } is finished.
access-staff-only = 🔒 This bot is for the staff of our family parks: it holds internal procedures. If you work with us, ask your manager for an invite link, or send a request and an admin will let you in.
access-request-pending = ⏳ Your request is waiting for an admin. You will get a message when they decide.
btn-request-access = 🙋 Request access
access-ask-name = Type your first and last name in one message, as your manager knows you (2 to { $max } characters). /cancel to stop.
access-name-length = The name must be 2 to { $max } characters. Please type it again, or /cancel.
access-request-sent = ✅ Request sent. You will get a message when an admin decides.
access-request-already = ⏳ Your request is already waiting for an admin.
access-request-limit = You have sent too many requests today. Please try again tomorrow or talk to your manager.
access-invite-invalid = This invite link is not valid. Please check it with your manager.
access-invite-expired = This invite link has expired. Ask your manager for a new one.
access-invite-revoked = This invite link has been withdrawn. Ask your manager for a new one.
access-invite-used-up = This invite link has been used as many times as it allows. Ask your manager for a new one.
access-invite-welcome = ✅ Welcome to the team, { $name }!
access-approved = ✅ An admin has let you into the training bot. Send /start to begin.
access-rejected = An admin has declined your request to use the training bot. If this is a mistake, talk to your manager.
admin-access-new-request = 🙋 New access request: { $name }
btn-admin-open-requests = 🙋 Open requests
btn-admin-invites = 🔗 Invites
btn-admin-requests = 🙋 Requests: { $n }
btn-admin-requests-unknown = 🙋 Requests
admin-invites-title = 🔗 Active invites
admin-invites-empty = No active invites.
btn-admin-new-invite = ➕ New invite
btn-admin-revoke = 🚫 Revoke #{ $n }
admin-invite-any-park = any park
admin-invite-any-department = any department
admin-invite-uses = used { $n } of { $total }
admin-invite-uses-unlimited = used { $n }, no limit
admin-invite-until = valid until { $when }
admin-invite-step-park = New invite, step 1 of 4: which park is it for?
admin-invite-step-department = New invite, step 2 of 4: which department?
admin-invite-step-days = New invite, step 3 of 4: how long is it valid?
admin-invite-step-uses = New invite, step 4 of 4: how many people may use it?
btn-admin-any-park = Any park
btn-admin-any-department = Any department
btn-admin-days = { $days } { $days ->
        [one] day
        *[other] days
    }
btn-admin-uses = Up to { $n }
btn-admin-uses-unlimited = No limit
admin-invite-created = ✅ Invite #{ $n } created. Send this link to the new staff member:
admin-invite-revoked = Invite #{ $n } revoked.
admin-invite-not-revoked = Invite #{ $n } was already revoked or does not exist.
admin-invite-draft-lost = That invite was not finished in time, or a choice no longer exists. Please start again.
admin-requests-title = 🙋 Access requests: { $total }
admin-requests-empty = No requests are waiting.
btn-admin-approve = ✅ { $name }
btn-admin-reject = ❌ Reject
admin-request-approved = ✅ { $name } can use the bot now and has been told.
admin-request-rejected = { $name } has been declined and told.
admin-request-decided = This request has already been decided.
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

## Admin panel: search, certificate check, most-read pages, moving a person
btn-admin-search = 🔎 Search
btn-admin-verify = 🎓 Verify certificate
btn-admin-search-again = 🔎 Search again
btn-admin-verify-again = 🎓 Another code
btn-admin-top-pages = 📖 Most-read pages
btn-admin-change-park = 🏢 Change park
btn-admin-change-department = 🧩 Change department
admin-search-prompt = 🔎 Type a Telegram id, an @username or part of a name (up to { $max } characters).
admin-search-empty = Type something to search for: an id, an @username or part of a name.
admin-search-too-long = The search text is too long: at most { $max } characters. Please type a shorter one.
admin-search-title = 🔎 Search: { $query }
admin-search-none = Nobody found. Try part of the first or last name, or the username without @.
admin-search-found = Found: { $n }
admin-search-refine = More than { $n } people match; the first { $n } by id are shown. Refine your search.
admin-verify-prompt = 🎓 Type the certificate code, for example TB-7K2QX9AB.
admin-verify-format = This is not a certificate code. A code looks like TB-7K2QX9AB. Please type it again.
admin-pages-title = 📖 Most-read pages (by different readers)
admin-pages-empty = Nobody has read a page yet.
admin-pages-readers = { $n } { $n ->
        [one] reader
        *[other] readers
    }
admin-choose-park = Which park should { $name } move to?
admin-choose-department = Which department should { $name } move to?
btn-admin-quiz-stats = 🎯 Quiz results
btn-admin-overdue = ⏰ Overdue
btn-admin-activity = 📈 Activity
btn-admin-activity-other-park = 🏢 Another park
admin-quiz-stats-title = 🎯 Quiz results (finished attempts)
admin-quiz-stats-empty = Nobody has finished a knowledge check yet.
admin-quiz-stats-by-quiz = By quiz
admin-quiz-stats-line = { $n } { $n ->
        [one] attempt
        *[other] attempts
    }, passed { $rate }%, average score { $average }%
admin-overdue-title = ⏰ Past the onboarding deadline: { $n }
admin-overdue-none = Nobody is past their deadline.
admin-overdue-line = { $days } { $days ->
        [one] day
        *[other] days
    } late, pages { $read }/{ $total }, checks { $passed }/{ $quizzes }
admin-overdue-more = …and { $n } more.
admin-activity-choose = 📈 Page views by weekday and hour: which park? (Counted in the park's time zone.)
admin-activity-title = 📈 Page views in { $park }, last { $days } days ({ $zone })
admin-activity-none = No page views in this time.
admin-activity-by-weekday = By weekday
admin-activity-busiest-hours = Busiest hours
admin-weekday-1 = Monday
admin-weekday-2 = Tuesday
admin-weekday-3 = Wednesday
admin-weekday-4 = Thursday
admin-weekday-5 = Friday
admin-weekday-6 = Saturday
admin-weekday-7 = Sunday
btn-admin-filter-park = 🏢 { $name }
btn-admin-filter-department = 🧩 { $name }
admin-filter-choose-park = Show the people of which park?
admin-filter-choose-department = Show the people of which department?

# Content editing in the admin panel
btn-admin-content = 📝 Content
content-title = 📝 Content
content-sections-prompt = Choose a section, then a page to edit. 🔄 Reload from disk reads the content folder again.
btn-content-reload = 🔄 Reload from disk
content-text-edited = Text { $lang }: edited in the panel
content-text-pack = Text { $lang }: the pack's own
content-media-none = Media: none
content-media-pack = Media: { $kind } from the pack
content-media-panel = Media: { $kind } sent in the panel
content-version = Current version: #{ $id }, { $when }, { $admin }
content-version-pack = Current version: the pack's own (never edited in the panel)
btn-content-edit-text = ✏️ Text { $lang }
btn-content-media = 📎 Attach or replace media
btn-content-remove-media = 🗑 Remove media
btn-content-history = 🕓 History
btn-content-page = ⬅️ Page
btn-content-save = ✅ Save
btn-content-cancel = ✖️ Cancel
btn-content-revert = ↩️ #{ $id }
btn-content-restore = ↩️ Pack: { $field }
content-text-prompt = Send the new text of “{ $name }” ({ $lang }) as one message, in Markdown like the pages of the pack: **bold**, *italic*, lists, links, and \< for a literal <. At most { $max } characters. You will see it exactly as staff will before anything is saved.
content-media-prompt = Send a photo, video or document to show with “{ $name }”. You will see the page as staff will before anything is saved.
content-send-a-file = Please send a photo, video or document, or press Cancel.
content-preview-above = ⬆️ This is exactly what staff reading in { $lang } will see. Save it?
content-saved = ✅ Saved as version #{ $id }. Staff see it now.
content-cancelled = Nothing was changed.
content-no-draft = There is nothing to save: that change was already saved or dropped.
content-empty = The text is empty. Please send the page's text.
content-too-long = The text is { $length } characters long; a page's text may have at most { $max }. Nothing was saved. Please shorten it and send it again.
content-unbreakable = The text has { $length } characters without a space or line break, more than a message holds. Please break it up and send it again.
content-page-gone = This page is no longer in the content pack.
content-history-title = History
content-history-empty = No changes yet: the page shows the pack's own text and media.
content-field-text = text { $lang }
content-field-media = media
content-edit-pack = back to the pack's own
content-edit-no-media = media removed
content-edit-media = { $kind } sent
media-kind-photo = photo
media-kind-video = video
media-kind-document = document
content-reload-too-fast = One reload at a time: please wait { $seconds } seconds before the next one.
content-reload-broken = The content folder has { $n } problem(s), so it was not loaded; the running content stays. Fix them and reload again:
content-reload-done = 🔄 Reloaded: { $pages } pages, { $quizzes } knowledge checks; { $applied } panel edits applied, { $skipped } skipped.
content-reload-skipped = Skipped (their page is gone, or the new pack does not accept them):
content-report-more = … and { $n } more.
