# Interface texts, Russian (the default). Every key here must exist in en/main.ftl too.
greeting = Здравствуйте, { $name }! Это учебный бот наших парков: здесь правила, инструкции и всё, что нужно для работы.
main-menu-title = Главное меню
main-menu-prompt = Выберите раздел:
section-prompt = Выберите тему:
page-of = Страница { $n } из { $total }
part-of = Часть { $n } из { $total }
btn-back = ⬅️ Назад
btn-home = 🏠 Главное меню
btn-prev = ◀️ Назад
btn-next = Далее ▶️
btn-prev-part = ◀️ Часть { $n }
btn-next-part = Часть { $n } ▶️
btn-language = 🌐 Язык / Language
help-title = Как пользоваться ботом
help-text =
    • Разделы и страницы открываются кнопками под сообщением.
    • «⬅️ Назад» возвращает на уровень выше, «🏠 Главное меню» — в начало.
    • Длинные страницы разбиты на части: листайте кнопками «Часть».

    Команды:
    /menu — главное меню
    /quiz — проверки знаний
    /progress — мой прогресс
    /profile — мой профиль
    /language — язык интерфейса
    /cancel — отменить текущее действие
    /help — эта справка
cancel-nothing = Сейчас нечего отменять. Вот главное меню.
unknown-command = Такой команды нет. Посмотрите /help или выберите раздел в меню.
free-text = Я понимаю кнопки и команды. Вот где вы остановились:
media-unsupported = Файлы и фото я не обрабатываю. Вот где вы остановились:
stale-menu = Это меню устарело. Открываю главное меню.
language-prompt = Выберите язык интерфейса:
language-set = Язык: русский
unavailable = Сервис временно недоступен. Попробуйте через минуту.
blocked = Доступ к боту закрыт. Если это ошибка, обратитесь к администратору парка.
cmd-menu = Главное меню
cmd-help = Как пользоваться ботом
cmd-language = Сменить язык
cmd-cancel = Отменить текущее действие
cmd-admin = Панель администратора
cmd-start = Начать
main-menu-required = ⭐ — обязательно для вашего отдела
cmd-quiz = Проверки знаний
cmd-progress = Мой прогресс
cmd-profile = Мой профиль
cancel-done = Отменено. Вот главное меню.
onboarding-step-1 = Шаг 1 из 3
onboarding-step-2 = Шаг 2 из 3
onboarding-step-3 = Шаг 3 из 3
ask-park = В каком парке вы работаете?
ask-department = В каком отделе вы работаете?
ask-position = Напишите вашу должность одним сообщением (например, «бармен» или «старший инструктор»).
btn-skip = Пропустить ⏭
btn-clear = Не указывать
btn-profile-back = ⬅️ Профиль
position-empty = Напишите должность словами, пожалуйста.
position-too-long = Слишком длинно: { $length } { $length ->
        [one] символ
        [few] символа
        *[many] символов
    }, а можно не больше { $max }.
profile-saved = Сохранено.
onboarding-done = Спасибо! Профиль заполнен, его можно изменить командой /profile.
profile-title = 👤 Мой профиль
profile-name = Имя
profile-park = Парк
profile-department = Отдел
profile-position = Должность
profile-language = Язык
profile-unset = не указано
profile-park-assigned = Парк указал ваш руководитель; чтобы изменить его, обратитесь к нему.
language-name = русский
btn-edit-park = 🏢 Парк
btn-edit-department = 🧩 Отдел
btn-edit-position = 💼 Должность
btn-profile = 👤 Профиль
btn-progress = 📊 Мой прогресс
btn-quizzes = 📝 Проверки знаний
btn-review = 🔁 Повторение ({ $n })
btn-submit = ✅ Ответить
btn-result = 📋 Результат
btn-next-question = Следующий вопрос ▶️
btn-retry = 🔁 Пройти ещё раз
quizzes-title = 📝 Проверки знаний
quizzes-hint = ⭐ — обязательные для вашего отдела, ✅ — уже сданы.
quiz-finish-first = Сначала закончите начатую проверку.
quiz-attempts-used = Все попытки использованы ({ $max }). Обратитесь к руководителю.
quiz-cooldown = Следующая попытка будет доступна { $when }.
quiz-progress = Вопрос { $n } из { $total }
quiz-deadline = ⏱ Ответить до { $when }
quiz-choose-all = Отметьте все верные варианты и нажмите «Ответить».
quiz-choose-one = Отметьте хотя бы один вариант.
quiz-already-answered = На этот вопрос вы уже ответили.
quiz-time-up = Время вышло.
quiz-correct = ✅ Верно!
quiz-wrong = ❌ Неверно.
quiz-right-answer = Правильный ответ: { $answer }
quiz-score = Результат: { $score } из { $max } ({ $percent }%)
quiz-passed = ✅ Зачтено (нужно { $need }%)
quiz-failed = ❌ Не зачтено: нужно { $need }%
quiz-mistakes = Ошибки:
quiz-more-mistakes = …и ещё { $n }
quiz-unanswered = Без ответа: { $n }
review-title = 🔁 Повторение
review-nothing = Сейчас повторять нечего.
review-done = Повторение завершено. Вопросы с ошибками вернутся позже.
progress-no-department = Укажите ваш отдел в профиле, и здесь появится ваш план обучения.
progress-title = 📊 Мой прогресс: { $department }
progress-pages = 📄 Прочитано страниц: { $read } из { $total }
progress-quizzes = 📝 Сдано проверок: { $passed } из { $total }
progress-deadline = ⏳ Срок: { $date } (осталось { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    })
progress-overdue = ⏳ Срок был { $date }: просрочено на { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    }
progress-reviews = 🔁 Вопросов на повторение: { $n }
progress-complete = 🎓 Обучение пройдено!
progress-certificate = Код сертификата: { $code }
cert-title = Сертификат
cert-department = Отдел: { $value }
cert-park = Парк: { $value }
cert-date = Дата: { $value }
cert-code = Код проверки
cert-caption = 🎓 Поздравляем! Вы прошли обучение. Код проверки сертификата: { $code }. Руководитель проверит его по ссылке { $link }
verify-usage = Напишите: /verify КОД (например, /verify TB-7K2QX9AB).
verify-found = Сертификат { $code } действителен
verify-not-found = Сертификат { $code } не найден.
reminder-title = 🔔 Напоминание об обучении
reminder-behind = Осталось прочитать страниц: { $pages }, сдать проверок: { $quizzes }.
reminder-deadline = До срока { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    }.
reminder-overdue = Срок прошёл { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    } назад.
reminder-reviews = Вопросов на повторение: { $n }.
admin-password-prompt = 🔐 Введите пароль администратора одним сообщением. Сообщение с паролем будет сразу удалено. /cancel — отмена.
admin-welcome = ✅ Вход выполнен.
admin-wrong-password = Неверный пароль. Осталось попыток до блокировки: { $left }. Введите пароль ещё раз или /cancel.
admin-locked-now = Слишком много неверных попыток. Вход заблокирован на { $minutes } мин.
admin-locked = Вход временно заблокирован из-за неверных попыток. Попробуйте позже.
admin-busy = Сейчас слишком много попыток входа. Попробуйте через минуту.
admin-unavailable = Вход сейчас недоступен. Попробуйте позже.
admin-session-expired = Сессия истекла. Отправьте /admin, чтобы войти снова.
admin-logged-out = Вы вышли из панели администратора.
admin-panel-title = 🛠 Панель администратора
btn-admin-stats = 📊 Статистика
btn-admin-audit = 🧾 Журнал действий
btn-admin-logout = 🚪 Выйти
btn-admin-panel = ⬅️ Панель
btn-admin-older = ◀️ Раньше
admin-stats-title = 📊 Статистика
admin-stats-total = Всего сотрудников
admin-stats-today = Активны за сутки
admin-stats-7d = Активны за 7 дней
admin-stats-30d = Активны за 30 дней
admin-stats-new = Новые за 7 дней
admin-stats-blocked = Заблокированы администратором
admin-stats-inactive = Заблокировали бота
admin-stats-by-park = По паркам
admin-stats-by-department = По отделам
admin-audit-title = 🧾 Журнал действий
admin-audit-empty = Записей пока нет.
error-internal = Что-то пошло не так. Попробуйте ещё раз через минуту.
btn-admin-people = 👥 Сотрудники
btn-admin-block = ⛔ Заблокировать
btn-admin-unblock = ✅ Разблокировать
btn-admin-back-person = ⬅️ Карточка
admin-people-title = 👥 Сотрудники: { $total }
admin-people-empty = Никого нет.
admin-filter-any = Все
admin-filter-active = Активные
admin-filter-blocked = Заблок.
admin-filter-inactive = Ушли
admin-person-id = ID
admin-person-username = Ник
admin-person-first-seen = Впервые
admin-person-last-seen = Последний раз
admin-person-status = Статус
admin-person-pages = Прочитано страниц
admin-status-active = активен
admin-status-blocked = заблокирован администратором
admin-status-inactive = заблокировал бота
admin-person-unknown = Такого сотрудника нет.
admin-block-reason = Напишите причину блокировки одним сообщением (её увидит сотрудник).
admin-block-reason-length = Причина должна быть от 1 до { $max } символов. Напишите ещё раз.
person-blocked-notice = Доступ к учебному боту закрыт администратором.
person-blocked-reason = Причина: { $reason }
person-unblocked-notice = Доступ к учебному боту снова открыт. Отправьте /menu.

## Broadcasts
btn-admin-broadcasts = 📣 Рассылки
broadcast-history-title = 📣 Рассылки
broadcast-history-empty = Рассылок пока не было.
broadcast-history-line = #{ $id } · { $time } · от { $admin } · { $state } · доставлено { $sent } из { $total }
btn-broadcast-new = ✏️ Новая рассылка
broadcast-compose-prompt = Пришлите объявление одним сообщением: текст в Markdown (**жирный**, *курсив*, [ссылка](https://example.com)) или фото, видео либо документ с текстом в подписи. /cancel — отменить.
broadcast-empty = В объявлении нужен текст. Пришлите его ещё раз.
broadcast-too-long = В объявлении { $length } символов, а помещается не больше { $max }. Сократите его и пришлите ещё раз.
broadcast-bad-markdown = Строка { $line }: { $problem } Пришлите исправленный текст.
broadcast-problem-html = HTML-теги нельзя; пишите **жирный** или *курсив*, а знак < — как \<.
broadcast-problem-image = картинки нельзя вставлять в текст; пришлите фото с текстом в подписи.
broadcast-problem-footnote = сноски не поддерживаются; впишите примечание в текст.
broadcast-problem-link = ссылки должны начинаться с http://, https://, tg:// или mailto:.
broadcast-preview-above = ⬆️ Именно так сообщение увидят сотрудники.
broadcast-audience-title = 👥 Кому отправить?
btn-audience-everyone = Всем
btn-audience-park = По парку
btn-audience-department = По отделу
btn-audience-active = Активным недавно
btn-audience-behind = Отстающим по заданиям
broadcast-pick-park = Какой парк?
broadcast-pick-department = Какой отдел?
broadcast-pick-activity = Активные за:
btn-days = { $n ->
    [one] { $n } день
    [few] { $n } дня
   *[other] { $n } дней
}
audience-everyone = все
audience-park = парк { $name }
audience-department = отдел { $name }
audience-active = активные за последние { $days } дн.
audience-behind = отстающие по заданиям
broadcast-confirm-title = 📣 Всё готово к отправке
broadcast-audience = Получатели: { $audience }
broadcast-recipients = Число получателей: { $n }
broadcast-starts-now = Начало: сразу после подтверждения
broadcast-starts-at = Начало: { $time } ({ $zone })
broadcast-no-recipients = Под этот выбор никто не подходит. Выберите других получателей.
btn-broadcast-send = ✅ Отправить ({ $n })
btn-broadcast-schedule = 🕘 Запланировать
btn-broadcast-audience = 👥 Сменить получателей
btn-broadcast-discard = 🗑 Удалить черновик
broadcast-discarded = Черновик удалён.
broadcast-no-draft = Сейчас нет готовящегося объявления. Начните новое в разделе «Рассылки».
broadcast-schedule-prompt = Когда начать? Напишите дату и время по часовому поясу { $zone }, например { $example }.
broadcast-schedule-bad = Не удалось понять время. Напишите его так: { $example } (часовой пояс { $zone }).
broadcast-schedule-range = Укажите время в будущем, не дальше чем через { $days } дн., например { $example } (часовой пояс { $zone }).
broadcast-status-title = 📣 Рассылка #{ $id }
broadcast-status-state = Состояние: { $state }
broadcast-status-created = Создал { $admin }, { $time }
broadcast-status-rate = Скорость: { $rate } сообщ./с
broadcast-status-finished = Завершена: { $time }
broadcast-counts = Доставлено: { $sent } · Ошибки: { $failed } · Заблокировали бота: { $blocked } · Неизвестно: { $unknown } · В очереди: { $pending }
broadcast-unknown-explained = «Неизвестно» — ответ Telegram на эти сообщения потерялся (тайм-аут, обрыв связи или остановка отправителя); они могли дойти и повторно не отправляются.
broadcast-state-scheduled = запланирована
broadcast-state-running = идёт отправка
broadcast-state-paused = на паузе
broadcast-state-cancelled = отменена
broadcast-state-done = завершена
btn-broadcast-refresh = 🔄 Обновить
btn-broadcast-pause = ⏸ Пауза
btn-broadcast-resume = ▶️ Продолжить
btn-broadcast-cancel = ✖️ Отменить
btn-broadcast-status = 📣 Состояние
broadcast-cancel-confirm = Отменить рассылку #{ $id }? Те, кому сообщение ещё не отправлено, его не получат. Это нельзя вернуть.
btn-broadcast-cancel-yes = Да, отменить
btn-broadcast-cancel-no = Нет, продолжить
broadcast-unknown = Такой рассылки нет.
broadcast-finished = 📣 Рассылка #{ $id } завершена.
access-staff-only = 🔒 Этот бот — для сотрудников наших семейных парков: в нём внутренние регламенты. Если вы работаете у нас, попросите у руководителя ссылку-приглашение или отправьте заявку, и администратор откроет доступ.
access-request-pending = ⏳ Ваша заявка ждёт решения администратора. Когда он решит, придёт сообщение.
btn-request-access = 🙋 Запросить доступ
access-ask-name = Напишите одним сообщением имя и фамилию, как вас знает руководитель (от 2 до { $max } символов). /cancel — отменить.
access-name-length = Имя должно быть от 2 до { $max } символов. Напишите ещё раз или /cancel.
access-request-sent = ✅ Заявка отправлена. Когда администратор решит, придёт сообщение.
access-request-already = ⏳ Ваша заявка уже ждёт решения администратора.
access-request-limit = Сегодня отправлено слишком много заявок. Попробуйте завтра или обратитесь к руководителю.
access-invite-invalid = Эта ссылка-приглашение недействительна. Уточните её у руководителя.
access-invite-expired = Срок действия этой ссылки-приглашения истёк. Попросите у руководителя новую.
access-invite-revoked = Эта ссылка-приглашение отозвана. Попросите у руководителя новую.
access-invite-used-up = По этой ссылке-приглашению уже зарегистрировалось столько людей, сколько разрешено. Попросите у руководителя новую.
access-invite-welcome = ✅ Добро пожаловать в команду, { $name }!
access-approved = ✅ Администратор открыл вам доступ к учебному боту. Отправьте /start, чтобы начать.
access-rejected = Администратор отклонил вашу заявку на доступ к учебному боту. Если это ошибка, обратитесь к руководителю.
admin-access-new-request = 🙋 Новая заявка на доступ: { $name }
btn-admin-open-requests = 🙋 Открыть заявки
btn-admin-invites = 🔗 Приглашения
btn-admin-requests = 🙋 Заявки: { $n }
btn-admin-requests-unknown = 🙋 Заявки
admin-invites-title = 🔗 Действующие приглашения
admin-invites-empty = Действующих приглашений нет.
btn-admin-new-invite = ➕ Новое приглашение
btn-admin-revoke = 🚫 Отозвать №{ $n }
admin-invite-any-park = любой парк
admin-invite-any-department = любой отдел
admin-invite-uses = использовано { $n } из { $total }
admin-invite-uses-unlimited = использовано { $n }, без ограничения
admin-invite-until = действует до { $when }
admin-invite-step-park = Новое приглашение, шаг 1 из 4: для какого парка?
admin-invite-step-department = Новое приглашение, шаг 2 из 4: какой отдел?
admin-invite-step-days = Новое приглашение, шаг 3 из 4: сколько оно действует?
admin-invite-step-uses = Новое приглашение, шаг 4 из 4: сколько человек может по нему войти?
btn-admin-any-park = Любой парк
btn-admin-any-department = Любой отдел
btn-admin-days = { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    }
btn-admin-uses = До { $n }
btn-admin-uses-unlimited = Без ограничения
admin-invite-created = ✅ Приглашение №{ $n } создано. Отправьте эту ссылку новому сотруднику:
admin-invite-revoked = Приглашение №{ $n } отозвано.
admin-invite-not-revoked = Приглашение №{ $n } уже отозвано или не существует.
admin-invite-draft-lost = Приглашение не было завершено вовремя, или выбранного варианта больше нет. Начните заново.
admin-requests-title = 🙋 Заявки на доступ: { $total }
admin-requests-empty = Заявок нет.
btn-admin-approve = ✅ { $name }
btn-admin-reject = ❌ Отклонить
admin-request-approved = ✅ { $name } получил(а) доступ, сообщение отправлено.
admin-request-rejected = Заявка { $name } отклонена, сообщение отправлено.
admin-request-decided = По этой заявке уже принято решение.
## Выгрузки и персональные данные
cmd-privacy = Мои данные
btn-admin-exports = 📤 Выгрузки
admin-exports-title = 📤 Выгрузки
admin-exports-text = Сначала выберите файл: CSV с запятыми (UTF-8, время в UTC), CSV с точкой с запятой (для Excel на русском) или книга Excel (время — { $zone }). Для активности выберите период; «сегодня» начинается в полночь по времени { $zone }.
admin-exports-format = Файл: { $format }
btn-format-csv = CSV ,
btn-format-csv-semicolon = CSV ;
btn-format-xlsx = Excel
export-times-utc = время в UTC
export-times-local = время — { $zone }
btn-export-people = 👥 Сотрудники
btn-export-quiz-results = 📝 Результаты проверок
btn-export-activity-today = Сегодня
btn-export-activity-7d = 7 дней
btn-export-activity-30d = 30 дней
btn-export-activity-all = Всё время
btn-export-audit = 🧾 Журнал действий
export-caption-people = Сотрудники, { $date } ({ $times })
export-caption-activity-today = Активность за сегодня, { $date } ({ $times })
export-caption-activity-7d = Активность за 7 дней по { $date } ({ $times })
export-caption-activity-30d = Активность за 30 дней по { $date } ({ $times })
export-caption-activity-all = Вся активность по { $date } ({ $times })
export-caption-quiz-results = Результаты проверок, { $date } ({ $times })
export-caption-audit = Журнал действий, { $date } ({ $times })
export-caption-person = Всё, что хранится о сотруднике, { $date } ({ $times })
admin-export-too-fast = Выгрузки по одной: подождите { $seconds } с перед следующей.
admin-export-failed = Не удалось подготовить выгрузку. Попробуйте позже.
admin-export-preparing = ⏳ Готовим выгрузку. Файл придёт сюда, когда будет готов; пока можно пользоваться ботом.
admin-export-busy = Предыдущая выгрузка ещё готовится. Она придёт сюда, когда будет готова; следующую можно запросить после неё.
admin-export-too-large = Выгрузка слишком большая, чтобы отправить её файлом через Telegram. Выберите период короче.
btn-admin-export-person = 📤 Выгрузить данные
btn-admin-export-person-xlsx = 📤 Excel
btn-admin-erase = 🗑 Стереть
btn-admin-erase-confirm = 🗑 Да, стереть
admin-person-deletion-requested = 🗑 Просил удалить данные: { $date }
admin-erase-confirm = Стереть { $name } (ID { $id })? Профиль, имена, сертификаты и график повторений удаляются; активность и результаты проверок остаются в статистике без имени. Отменить нельзя.
admin-erased = Сотрудник { $id } стёрт. Оставлено без имени для статистики: записей активности: { $activity }, попыток проверок: { $attempts }.
privacy-title = 🔒 Мои данные
privacy-intro = Вот всё, что бот хранит о вас:
privacy-telegram-id = Telegram ID
privacy-activity = Открытые страницы и разделы (записей)
privacy-attempts = Попытки проверок знаний
privacy-answers = Данные ответы
privacy-reviews = Вопросы на повторение
privacy-certificates = Сертификаты
privacy-deletion-explained = Вы можете попросить удалить ваши данные. Тогда администратор сотрёт ваш профиль, имя, ник, сертификаты и график повторений; активность и результаты проверок останутся только обезличенными числами в статистике.
btn-request-deletion = 🗑 Попросить удалить
privacy-deletion-received = Запрос принят.
privacy-deletion-pending = 🗑 Вы попросили удалить данные { $date }. Администратор сотрёт их, и бот сообщит, когда это будет сделано. Если после этого вы напишете боту, вы начнёте как новый сотрудник.
privacy-erased-notice = Ваши данные удалены из учебного бота. Если вы снова напишете боту, вы начнёте как новый сотрудник.

## Панель администратора: поиск, проверка сертификата, популярные страницы, перевод сотрудника
btn-admin-search = 🔎 Поиск
btn-admin-verify = 🎓 Проверить сертификат
btn-admin-search-again = 🔎 Искать ещё
btn-admin-verify-again = 🎓 Другой код
btn-admin-top-pages = 📖 Популярные страницы
btn-admin-change-park = 🏢 Сменить парк
btn-admin-change-department = 🧩 Сменить отдел
admin-search-prompt = 🔎 Напишите Telegram id, @username или часть имени (до { $max } символов).
admin-search-empty = Напишите, что искать: id, @username или часть имени.
admin-search-too-long = Слишком длинный запрос: не больше { $max } символов. Напишите короче.
admin-search-title = 🔎 Поиск: { $query }
admin-search-none = Никого не нашлось. Попробуйте часть имени или фамилии или username без @.
admin-search-found = Найдено: { $n }
admin-search-refine = Подходит больше { $n } человек; показаны первые { $n } по id. Уточните запрос.
admin-verify-prompt = 🎓 Напишите код сертификата, например TB-7K2QX9AB.
admin-verify-format = Это не код сертификата. Код выглядит так: TB-7K2QX9AB. Напишите его ещё раз.
admin-pages-title = 📖 Популярные страницы (по числу разных читателей)
admin-pages-empty = Страницы пока никто не читал.
admin-pages-readers = { $n } { $n ->
        [one] читатель
        [few] читателя
        *[many] читателей
    }
admin-choose-park = В какой парк перевести: { $name }?
admin-choose-department = В какой отдел перевести: { $name }?
btn-admin-quiz-stats = 🎯 Результаты тестов
btn-admin-overdue = ⏰ Просрочено
btn-admin-activity = 📈 Активность
btn-admin-activity-other-park = 🏢 Другой парк
admin-quiz-stats-title = 🎯 Результаты тестов (завершённые попытки)
admin-quiz-stats-empty = Пока никто не завершил ни одной проверки знаний.
admin-quiz-stats-by-quiz = По тестам
admin-quiz-stats-line = { $n } { $n ->
        [one] попытка
        [few] попытки
        *[many] попыток
    }, сдано { $rate }%, средний балл { $average }%
admin-overdue-title = ⏰ Не уложились в срок обучения: { $n }
admin-overdue-none = Все укладываются в сроки.
admin-overdue-line = просрочено на { $days } { $days ->
        [one] день
        [few] дня
        *[many] дней
    }, страниц { $read }/{ $total }, тестов { $passed }/{ $quizzes }
admin-overdue-more = …и ещё { $n }.
admin-activity-choose = 📈 Просмотры страниц по дням недели и часам: какой парк? (Считается по часовому поясу парка.)
admin-activity-title = 📈 Просмотры страниц: { $park }, последние { $days } дней ({ $zone })
admin-activity-none = За это время просмотров не было.
admin-activity-by-weekday = По дням недели
admin-activity-busiest-hours = Самые активные часы
admin-weekday-1 = Понедельник
admin-weekday-2 = Вторник
admin-weekday-3 = Среда
admin-weekday-4 = Четверг
admin-weekday-5 = Пятница
admin-weekday-6 = Суббота
admin-weekday-7 = Воскресенье
chart-activity-title = Просмотры страниц в парке { $park } по дням и часам ({ $zone })
chart-pass-rate-title = Доля сданных проверок: по отделам, затем по паркам
chart-pass-rate-bar = { $rate }% из { $n }
chart-park = Парк: { $park }
chart-weekday-1 = Пн
chart-weekday-2 = Вт
chart-weekday-3 = Ср
chart-weekday-4 = Чт
chart-weekday-5 = Пт
chart-weekday-6 = Сб
chart-weekday-7 = Вс
btn-admin-funnel = 🪜 Воронка обучения
btn-admin-daily = 📅 Последние 30 дней
admin-funnel-title = Воронка обучения
admin-funnel-started = Начали обучение
admin-funnel-read = Прочитали все обязательные страницы
admin-funnel-passed = Сдали все обязательные проверки
admin-funnel-certified = Получили сертификат
admin-funnel-none = Пока никто из отделов с программой обучения не начал его.
admin-daily-title = Просмотры страниц по дням, последние { $days } дней
admin-daily-total = Всего { $n }; в самый активный день — { $busiest }.
btn-admin-filter-park = 🏢 { $name }
btn-admin-filter-department = 🧩 { $name }
admin-filter-choose-park = Сотрудников какого парка показать?
admin-filter-choose-department = Сотрудников какого отдела показать?
admin-forbidden = Ваша роль этого не позволяет.
admin-new-password-prompt = 🔐 Вам выдали роль в панели администратора. Придумайте свой пароль (не короче { $max } символов) и отправьте его одним сообщением. Сообщение будет сразу удалено. /cancel — отмена.
admin-password-already-set = Пароль уже задан. Отправьте /admin, чтобы войти с ним.
btn-admin-roles = 🎖 Роли
btn-admin-role = 🎖 Роль
btn-admin-role-revoke = 🚫 Снять роль
admin-roles-title = 🎖 Роли
admin-roles-help = Управляющий парком видит статистику, сотрудников, выгрузки и прогресс только своего парка; редактор контента может менять контент и ничего больше. Чтобы выдать роль, откройте карточку сотрудника (Сотрудники или поиск) и нажмите 🎖 Роль.
admin-roles-none = Ролей пока ни у кого нет.
admin-role-choose = Роль для { $name }. Сейчас: { $value }.
admin-role-unknown-park = Такого парка больше нет.
admin-role-full-admin = Это администратор из списка доступа, у него уже есть все права.
role-park-manager = управляющий парком { $park }
role-content-editor = редактор контента
role-full-admin = администратор (все права)
role-none = нет роли
role-granted-notice = 🎖 Теперь вы { $value } в панели администратора. Отправьте /admin, чтобы задать пароль и войти.
role-revoked-notice = Ваша роль в панели администратора снята.
btn-admin-deletions = 🗑 Запросы на удаление
admin-deletions-title = 🗑 Запросы на удаление
admin-deletions-help = Эти сотрудники попросили удалить их данные. Откройте карточку, чтобы выгрузить данные или удалить их.
admin-deletions-none = Запросов на удаление данных нет.

# Content editing in the admin panel
btn-admin-content = 📝 Материалы
content-title = 📝 Материалы
content-sections-prompt = Выберите раздел, затем страницу для правки. 🔄 Перечитать с диска загружает папку с материалами заново.
btn-content-reload = 🔄 Перечитать с диска
content-text-edited = Текст { $lang }: изменён в панели
content-text-pack = Текст { $lang }: из пакета
content-media-none = Вложение: нет
content-media-pack = Вложение: { $kind } из пакета
content-media-panel = Вложение: { $kind }, отправлено в панели
content-version = Текущая версия: №{ $id }, { $when }, { $admin }
content-version-pack = Текущая версия: из пакета (в панели не менялась)
btn-content-edit-text = ✏️ Текст { $lang }
btn-content-media = 📎 Добавить или заменить вложение
btn-content-remove-media = 🗑 Убрать вложение
btn-content-history = 🕓 История
btn-content-qr = 🔳 QR-код
btn-content-questions = ❓ Трудные вопросы
questions-title = ❓ Вопросы, на которые чаще всего отвечают неверно: { $who }
questions-everyone = Все
questions-none = Пока ни на один вопрос не ответили неверно.
questions-wrong = { $percent }% неверно ({ $wrong } из { $answers })
questions-no-answer = нет ответа (время вышло)
content-link = Ссылка для сотрудников: { $link }
btn-content-page = ⬅️ Страница
btn-content-save = ✅ Сохранить
btn-content-cancel = ✖️ Отмена
btn-content-revert = ↩️ №{ $id }
btn-content-restore = ↩️ Из пакета: { $field }
content-text-prompt = Пришлите новый текст страницы «{ $name }» ({ $lang }) одним сообщением, в Markdown, как страницы пакета: **жирный**, *курсив*, списки, ссылки, а \< — чтобы показать знак <. Не больше { $max } символов. Перед сохранением вы увидите его так же, как сотрудники.
content-media-prompt = Пришлите фото, видео или документ для страницы «{ $name }». Перед сохранением вы увидите страницу так же, как сотрудники.
content-send-a-file = Пришлите фото, видео или документ или нажмите «Отмена».
content-preview-above = ⬆️ Так страницу увидят сотрудники, читающие на { $lang }. Сохранить?
content-saved = ✅ Сохранено как версия №{ $id }. Сотрудники уже видят её.
content-cancelled = Ничего не изменено.
content-no-draft = Сохранять нечего: это изменение уже сохранено или отменено.
content-empty = Текст пустой. Пришлите текст страницы.
content-too-long = В тексте { $length } символов, а в тексте страницы может быть не больше { $max }. Ничего не сохранено. Сократите его и пришлите снова.
content-unbreakable = В тексте { $length } символов подряд без пробела или переноса строки — больше, чем помещается в сообщение. Разбейте его и пришлите снова.
content-page-gone = Этой страницы больше нет в пакете материалов.
link-page-gone = Страницы, на которую ведёт ссылка, больше нет в обучении. Вот главное меню.
content-history-title = История
content-history-empty = Изменений пока нет: страница показывает текст и вложение из пакета.
content-field-text = текст { $lang }
content-field-media = вложение
content-edit-pack = как в пакете
content-edit-no-media = вложение убрано
content-edit-media = { $kind }, отправлено
media-kind-photo = фото
media-kind-video = видео
media-kind-document = документ
content-reload-too-fast = Перечитывать можно по одному разу: подождите { $seconds } с.
content-reload-broken = В папке с материалами ошибок: { $n }, поэтому она не загружена; работают прежние материалы. Исправьте их и перечитайте снова:
content-reload-done = 🔄 Перечитано: страниц { $pages }, проверок знаний { $quizzes }; правок из панели применено { $applied }, пропущено { $skipped }.
content-reload-skipped = Пропущены (их страницы нет или новый пакет их не принимает):
content-report-more = … и ещё { $n }.
