//! [`Engine::arrive`] and [`Engine::handle`]: the pipeline every update goes through.
//!
//! On arrival (before the update waits in its chat's queue): flood limits. When
//! handled: de-dup -> input guard -> private chats only -> person (kept in memory,
//! else created/refreshed; blocked check) -> access gate -> the router (`router`)
//! -> activity record. Handlers build actions; nothing here talks to Telegram.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OnceCell;

use domain::content::ContentPack;
use domain::ids::UserId;
use domain::lang::Lang;

use crate::action::{Action, Marked};
use crate::activity::ActivityRecorder;
use crate::context::Cx;
use crate::error::EngineError;
use crate::exports::ExportQueue;
use crate::guard;
use crate::i18n::{html, t};
use crate::inbound::{Inbound, Input};
use crate::live_content::{LiveContent, Reload};
use crate::people::{Generation, Lookup, People, Person};
use crate::ports::{
    Clock, DocumentRenderer, PasswordCheck, RolePasswords, StateStore, StorageError, StoragePorts,
    UPDATE_DEDUP_TTL, UpdateClaims, UserProfile, UserRecord,
};
use crate::rights::Rights;
use crate::seen::SeenIds;
use crate::settings::{AccessMode, Limits};
use crate::typed_secrets::Prompts;

/// Everything the engine needs, built once by the composition root.
pub struct Engine {
    pub(crate) content: LiveContent,
    pub(crate) storage: StoragePorts,
    pub(crate) state: Arc<dyn StateStore>,
    /// Where update ids are claimed when not in `state` (see [`Engine::with_update_claims`]).
    pub(crate) update_claims: Option<Arc<dyn UpdateClaims>>,
    /// The update ids this process has received, with `update_claims` (see
    /// [`Engine::first_delivery`]).
    seen_updates: OnceCell<Mutex<SeenIds>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) activity: ActivityRecorder,
    pub(crate) documents: Option<Arc<dyn DocumentRenderer>>,
    pub(crate) admins: Vec<i64>,
    pub(crate) password: Option<Arc<dyn PasswordCheck>>,
    /// Hashes and checks role holders' own passwords (without it, they cannot log in).
    pub(crate) hasher: Option<Arc<dyn RolePasswords>>,
    pub(crate) session_idle: Duration,
    pub(crate) limits: Limits,
    /// Where the flood limits are counted when not in `state` (see
    /// [`Engine::with_arrival_counts`]).
    arrival_counts: Option<Arc<dyn StateStore>>,
    pub(crate) access: AccessMode,
    /// For invite links (`https://t.me/<bot>?start=<code>`).
    pub(crate) bot_username: Option<String>,
    /// Whom this process asked for a password lately.
    pub(crate) prompts: Prompts,
    /// Exports waiting for the background worker.
    pub(crate) exports: Arc<ExportQueue>,
    /// The people behind updates, between their updates.
    pub(crate) people: Arc<People>,
}

impl Engine {
    pub fn new(
        content: Arc<ContentPack>,
        storage: StoragePorts,
        state: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
        activity: ActivityRecorder,
    ) -> Engine {
        Engine {
            content: LiveContent::new(content),
            storage,
            update_claims: None,
            seen_updates: OnceCell::new(),
            clock,
            activity,
            documents: None,
            admins: Vec::new(),
            password: None,
            hasher: None,
            session_idle: Duration::from_secs(30 * 60),
            limits: Limits::default(),
            arrival_counts: None,
            access: AccessMode::default(),
            bot_username: None,
            prompts: Prompts::default(),
            exports: Arc::new(ExportQueue::new()),
            people: Arc::new(People::new(state.clone())),
            state,
        }
    }

    /// The running content pack, as of now.
    pub fn content(&self) -> Arc<ContentPack> {
        self.content.current()
    }

    /// Brings the running content up to date with the stored edits and reloads;
    /// `true` if it was rebuilt. Cheap when nothing changed: one query.
    pub async fn sync_content(&self) -> Result<bool, StorageError> {
        self.content.sync(&*self.storage.content).await
    }

    /// Reads the pack from disk again (an admin asked): a broken pack is refused
    /// with its problems and the running content stays; a good one runs at once,
    /// with the edits laid over it, and the other replicas are told to reload.
    pub async fn reload_content(&self, by: UserId) -> Result<Reload, StorageError> {
        self.content
            .reload(&*self.storage.content, by, self.clock.now())
            .await
    }

    /// The cache of people, for whoever else changes them (the transport marks
    /// people who blocked the bot).
    pub fn people(&self) -> Arc<People> {
        self.people.clone()
    }

    /// The exports queued by admins, for the background worker that writes and
    /// sends them.
    pub fn export_queue(&self) -> Arc<ExportQueue> {
        self.exports.clone()
    }

    /// Draws certificates as PDF documents (without it, a certificate is sent as text).
    pub fn with_documents(mut self, documents: Arc<dyn DocumentRenderer>) -> Engine {
        self.documents = Some(documents);
        self
    }

    /// Claims update ids in `claims` (the database) instead of the state store:
    /// for a state store that does not outlive the process (in memory), so that
    /// updates Telegram delivers again after a crash are not answered twice.
    pub fn with_update_claims(mut self, claims: Arc<dyn UpdateClaims>) -> Engine {
        self.update_claims = Some(claims);
        self
    }

    /// The allow-listed admin ids (they may verify certificate codes).
    pub fn with_admins(mut self, admins: Vec<i64>) -> Engine {
        self.admins = admins;
        self
    }

    /// The admin password check and how long an idle admin session lives. Without
    /// it, admins cannot log in (login fails closed).
    pub fn with_admin_login(
        mut self,
        password: Arc<dyn PasswordCheck>,
        session_idle: Duration,
    ) -> Engine {
        self.password = Some(password);
        self.session_idle = session_idle;
        self
    }

    /// Hashes and checks the passwords role holders choose (without it, people
    /// given a role cannot log in: login fails closed).
    pub fn with_role_passwords(mut self, hasher: Arc<dyn RolePasswords>) -> Engine {
        self.hasher = Some(hasher);
        self
    }

    /// Per-person rate limits (the defaults suit people; load tests raise them).
    pub fn with_limits(mut self, limits: Limits) -> Engine {
        self.limits = limits;
        self
    }

    /// Counts the flood limits in `counts` (in memory) instead of the state
    /// store: for a bot that receives every update itself. With long polling
    /// one replica polls and the others stand by (ADR 0028), so its own count is
    /// the whole count and costs no round trip; replicas that all receive
    /// updates (webhooks) must share it in the state store. A new poller after a
    /// hand-over starts counting afresh: a flooder gets one new window.
    pub fn with_arrival_counts(mut self, counts: Arc<dyn StateStore>) -> Engine {
        self.arrival_counts = Some(counts);
        self
    }

    /// Who may use the bot, and the bot's username for invite links.
    pub fn with_access(mut self, mode: AccessMode, bot_username: Option<String>) -> Engine {
        self.access = mode;
        self.bot_username = bot_username;
        self
    }

    /// Decides, as an update arrives and before it waits for its chat's turn,
    /// whether it is worth handling: flood limits are counted here, so a burst
    /// queued behind a slow chat is cut at once instead of being worked through.
    /// A dropped update costs at most stopping its button's spinner. De-duplication
    /// stays in [`Engine::handle`]: an update queued but never handled (a shutdown
    /// drops it unconfirmed) must still be handled when Telegram delivers it again.
    pub async fn arrive(&self, inbound: &Inbound) -> Arrival {
        if needs_no_answer(inbound) {
            return Arrival::Drop(Vec::new());
        }
        if !self.flooding(inbound).await {
            return Arrival::Admit;
        }
        // Dropped quietly; a button still gets its spinner stopped.
        Arrival::Drop(match &inbound.input {
            Input::Callback { query_id, .. } => vec![Action::AnswerCallback {
                query_id: query_id.clone(),
                text: None,
            }],
            _ => Vec::new(),
        })
    }

    /// Handles one update that [`Engine::arrive`] admitted. Never fails: every error becomes an answer the person
    /// understands (or, for updates that need none, no action).
    pub async fn handle(&self, mut inbound: Inbound) -> Vec<Action> {
        let (first, generation) = self.first_delivery(&inbound).await;
        if !first {
            metrics::counter!("trainbot_updates_duplicate_total").increment(1);
            return Vec::new();
        }
        guard::normalise(&mut inbound);
        if needs_no_answer(&inbound) {
            return Vec::new();
        }
        // A text that may be a password goes first, whatever happens next.
        let deletion = self
            .prompts
            .deletion(&inbound, self.state.as_ref(), self.clock.now())
            .await;
        let mut actions = self.handle_private(inbound, generation).await;
        if let Some(deletion) = deletion {
            actions.retain(|a| *a != deletion);
            actions.insert(0, deletion);
        }
        actions
    }

    /// [`Engine::handle`] for a new update in a private chat.
    async fn handle_private(
        &self,
        inbound: Inbound,
        generation: Option<Generation>,
    ) -> Vec<Action> {
        let Some(profile) = inbound.from.clone() else {
            return Vec::new();
        };
        let person = match self.person(&inbound, &profile, generation).await {
            Ok(person) => person,
            Err(notice) => return notice,
        };
        let mut turn = Turn {
            engine: self,
            cx: Cx {
                content: self.content(),
                chat: inbound.chat,
                user: person.user,
                staff: person.staff,
                access: person.access,
                rights: Rights::None,
                clock: self.clock.clone(),
                actions: Vec::new(),
                toast: None,
            },
        };
        let press = match &inbound.input {
            Input::Callback { query_id, .. } => Some(query_id.clone()),
            _ => None,
        };
        let served = match turn.admitted(&inbound.input).await {
            Ok(true) => turn.route(inbound.input, inbound.message_id).await,
            refused_or_failed => refused_or_failed.map(drop),
        };
        if let Err(e) = served {
            turn.failed(inbound.update_id, &e);
        }
        let Cx {
            mut actions, toast, ..
        } = turn.cx;
        // Every press is answered here, once and first: its spinner stops
        // before the screen changes, whatever the handler did.
        if let Some(query_id) = press {
            actions.insert(
                0,
                Action::AnswerCallback {
                    query_id,
                    text: toast,
                },
            );
        }
        actions
    }

    /// The person who sent an update: their copy in [`People`] if it is current,
    /// else created or refreshed in the database (which writes their names and
    /// last-seen time) with their profile. A current copy writes nothing on the
    /// update path: the last-seen time goes out in the next batch. `Err` holds
    /// the notice for a person who is blocked or cannot be loaded.
    async fn person(
        &self,
        inbound: &Inbound,
        profile: &UserProfile,
        generation: Option<Generation>,
    ) -> Result<Person, Vec<Action>> {
        let now = self.clock.now();
        let generation = match self.people.lookup(profile, generation).await {
            Lookup::Hit(person) => {
                let mut person = *person;
                person.user.last_seen = now;
                self.activity.seen(person.user.id, now);
                self.admit_unblocked(inbound, &person.user)?;
                return Ok(person);
            }
            Lookup::Miss(generation) => Some(generation),
            Lookup::Bypass => None,
        };
        let fallback_lang = Lang::from_client(profile.language_code.as_deref());
        let user = match self
            .storage
            .people
            .touch_user(profile, fallback_lang, now)
            .await
        {
            Ok(user) => user,
            Err(e) => {
                tracing::error!(update_id = inbound.update_id, error = %e, "cannot load the person");
                return Err(notice(inbound, fallback_lang, "unavailable"));
            }
        };
        self.admit_unblocked(inbound, &user)?;
        let staff = match self.storage.learning.staff_profile(user.id).await {
            Ok(staff) => staff,
            Err(e) => {
                tracing::error!(update_id = inbound.update_id, error = %e, "cannot load the profile");
                return Err(notice(inbound, user.language, "unavailable"));
            }
        };
        let person = Person {
            user,
            staff,
            access: None,
            reviews_due_at: None,
        };
        if let Some(generation) = generation {
            self.people.keep(generation, person.clone());
        }
        Ok(person)
    }

    /// `Err` with the notice for a blocked person. An allow-listed admin is never
    /// shut out by the database: a row marked blocked (however it got so) does not
    /// keep them from /admin.
    fn admit_unblocked(&self, inbound: &Inbound, user: &UserRecord) -> Result<(), Vec<Action>> {
        if user.blocked && !self.admins.contains(&user.id.0) {
            return Err(notice(inbound, user.language, "blocked"));
        }
        Ok(())
    }

    /// Claims the update id as being handled; `false` if it was handled already.
    /// Claims live in the state store (the sender's generation in [`People`] is
    /// read in the same round trip), or, with [`Engine::with_update_claims`], in
    /// the database. There an id this process has not received yet and newer
    /// than the newest claim it found there is new, since Telegram's ids only
    /// grow: it needs no claim at all, even when it arrives after a newer id of
    /// another chat. A claim left unfinished by an earlier
    /// attempt (its process died before [`Engine::finish_update`]) is taken
    /// over: the update is handled again rather than left unanswered. Updates
    /// reach this one at a time per chat (one poller; a chat's webhook lease), so
    /// an unfinished claim never belongs to a live attempt. If the store is down
    /// the update is handled anyway: answering twice beats never answering.
    async fn first_delivery(&self, inbound: &Inbound) -> (bool, Option<Generation>) {
        let update_id = inbound.update_id;
        let key = update_key(update_id);
        let (claimed, generation) = match (&self.update_claims, &inbound.from) {
            (Some(claims), _) if self.seen_before(claims.as_ref(), update_id).await => (
                claims
                    .claim_update(update_id, self.clock.now(), UPDATE_DEDUP_TTL)
                    .await
                    .map_err(|e| e.to_string()),
                None,
            ),
            (Some(_), _) => (Ok(true), None),
            (None, Some(sender)) => {
                let other = People::generation_key(sender.id);
                match self
                    .state
                    .lease_and_get(&key, UPDATE_WORKING, UPDATE_DEDUP_TTL, &other)
                    .await
                {
                    Ok((claimed, generation)) => (Ok(claimed), Some(Generation::read(generation))),
                    Err(e) => (Err(e.to_string()), None),
                }
            }
            (None, None) => (
                self.state
                    .lease(&key, UPDATE_WORKING, UPDATE_DEDUP_TTL)
                    .await
                    .map_err(|e| e.to_string()),
                None,
            ),
        };
        let first = claimed.unwrap_or_else(|e| {
            tracing::warn!(update_id, error = %e, "de-duplication unavailable");
            true
        });
        (first, generation)
    }

    /// Whether `update_id` may have been delivered before: this process has
    /// received it already, or it is no newer than the newest claim in the
    /// database (read once; ids below the window of [`SeenIds`] count as well).
    /// If that cannot be read, every id may have been.
    async fn seen_before(&self, claims: &dyn UpdateClaims, update_id: i64) -> bool {
        let seen = self
            .seen_updates
            .get_or_try_init(|| async {
                let newest = claims.last_claimed().await?;
                Ok::<_, crate::ports::StorageError>(Mutex::new(SeenIds::above(newest)))
            })
            .await;
        match seen {
            Ok(seen) => seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(update_id),
            Err(e) => {
                tracing::warn!(update_id, error = %e, "cannot read the newest update claim");
                true
            }
        }
    }

    /// Marks an update handled, so that a delivery of it again is skipped as a
    /// duplicate. The transport calls it while sending what [`Engine::handle`]
    /// returned, at the last point where repeating the answer would go unseen
    /// (before its first new message; ADR 0037).
    ///
    /// With claims in the database (one process, polling), an answer with no new
    /// message is not marked: that bot gets an update again only after a crash,
    /// and repeating such an answer goes unseen, so the mark would cost a
    /// database write per press for nothing a person could notice.
    pub async fn finish_update(&self, update_id: i64, marked: Marked) {
        let finished = match &self.update_claims {
            Some(_) if marked == Marked::AfterAll => return,
            Some(claims) => claims
                .finish_update(update_id, self.clock.now(), UPDATE_DEDUP_TTL)
                .await
                .map_err(|e| e.to_string()),
            None => self
                .state
                .put(&update_key(update_id), UPDATE_DONE, UPDATE_DEDUP_TTL)
                .await
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = finished {
            tracing::warn!(update_id, error = %e, "could not mark the update handled; a delivery of it again would be handled again");
        }
    }

    /// The commands to register with Telegram, per language.
    pub fn commands(lang: Lang) -> Vec<(String, String)> {
        [
            "start", "menu", "quiz", "progress", "profile", "privacy", "help", "language", "cancel",
        ]
        .into_iter()
        .map(|name| (name.to_owned(), t(lang, &format!("cmd-{name}"))))
        .collect()
    }

    /// An admin's or role holder's menu in `lang`: everyone's commands and
    /// `/admin`.
    pub fn admin_commands(lang: Lang) -> Vec<(String, String)> {
        let mut commands = Engine::commands(lang);
        commands.push(("admin".to_owned(), t(lang, "cmd-admin")));
        commands
    }
}

/// The state-store key of an update's claim.
fn update_key(update_id: i64) -> String {
    format!("upd:{update_id}")
}

/// An update's claim while it is being handled: a lease any later attempt may
/// take over (see [`Engine::first_delivery`]).
const UPDATE_WORKING: &str = "working";

/// An update's claim once its answer is sent: a lease nobody else's token takes.
const UPDATE_DONE: &str = "done";

/// What [`Engine::arrive`] decided about an update.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Handle it (in its chat's order) with [`Engine::handle`].
    Admit,
    /// Do not handle it; run these actions instead (nothing, or stopping a
    /// button's spinner).
    Drop(Vec<Action>),
}

/// Updates the bot never answers: from groups and channels, or of kinds it does
/// not understand.
fn needs_no_answer(inbound: &Inbound) -> bool {
    !inbound.private_chat || matches!(inbound.input, Input::Unsupported)
}

/// The window of [`Limits::updates_per_10s`].
const FLOOD_WINDOW: Duration = Duration::from_secs(10);
/// The window of [`Limits::texts_per_minute`].
const TEXT_WINDOW: Duration = Duration::from_secs(60);

impl Engine {
    /// What to tell a person whose update failed inside the bot (a time-out or a
    /// bug): a toast for a button, a message otherwise. Never silence, never a trace.
    pub fn apology(inbound: &Inbound) -> Vec<Action> {
        if !inbound.private_chat {
            return Vec::new();
        }
        let lang = Lang::from_client(
            inbound
                .from
                .as_ref()
                .and_then(|p| p.language_code.as_deref()),
        );
        notice(inbound, lang, "error-internal")
    }

    /// Whether this update is over the person's flood limits; counted when it is.
    /// A state store that cannot count lets the update through: limits protect, they
    /// must not lock people out.
    async fn flooding(&self, inbound: &Inbound) -> bool {
        let Some(user) = inbound.from.as_ref().map(|p| p.id) else {
            return false;
        };
        let counts = self.arrival_counts.as_ref().unwrap_or(&self.state);
        let over = |key: String, limit: i64, window: Duration| async move {
            counts.incr(&key, window).await.is_ok_and(|n| n > limit)
        };
        let flood = over(
            format!("flood:{user}"),
            self.limits.updates_per_10s,
            FLOOD_WINDOW,
        )
        .await;
        let text = matches!(inbound.input, Input::Text(_))
            && over(
                format!("texts:{user}"),
                self.limits.texts_per_minute,
                TEXT_WINDOW,
            )
            .await;
        if flood || text {
            metrics::counter!("trainbot_updates_dropped_flood_total").increment(1);
        }
        flood || text
    }
}

/// A message or toast for updates that go no further than the pipeline.
fn notice(inbound: &Inbound, lang: Lang, key: &str) -> Vec<Action> {
    match &inbound.input {
        Input::Callback { query_id, .. } => {
            vec![Action::AnswerCallback {
                query_id: query_id.clone(),
                text: Some(t(lang, key)),
            }]
        }
        _ => vec![Action::Send {
            chat: inbound.chat,
            text: html(lang, key),
            keyboard: None,
        }],
    }
}

/// One update's handling: the engine's ports and the update's context.
pub(crate) struct Turn<'e> {
    pub(crate) engine: &'e Engine,
    pub(crate) cx: Cx,
}

impl Turn<'_> {
    /// The one place a failure becomes an answer: the person is told the bot is
    /// temporarily unavailable, and the log says what failed for which update.
    fn failed(&mut self, update_id: i64, e: &EngineError) {
        tracing::error!(update_id, error = %e.cause, "{}", e.doing);
        self.cx.actions.push(Action::Send {
            chat: self.cx.chat,
            text: html(self.cx.lang(), "unavailable"),
            keyboard: None,
        });
    }
}
