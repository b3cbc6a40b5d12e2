//! Which ports each feature slice gets: the one place that hands a slice its
//! narrow views of the engine (ADR 0048). A slice's handlers see their update's
//! context and these, nothing else.

use crate::access::panel::AccessPorts;
use crate::admin_panel::PanelPorts;
use crate::broadcast_rows::BroadcastPorts;
use crate::content_editor::ContentPorts;
use crate::engine::Engine;
use crate::export_panel::ExportPorts;
use crate::insights::StatsPorts;
use crate::lookup::LookupPorts;
use crate::navigation::NavPorts;
use crate::onboarding::OnboardingPorts;
use crate::people_panel::PeoplePorts;
use crate::privacy::PrivacyPorts;
use crate::progress::ProgressPorts;
use crate::quiz::QuizPorts;
use crate::roles::RolePorts;

impl Engine {
    pub(crate) fn nav_ports(&self) -> NavPorts<'_> {
        NavPorts {
            state: &*self.state,
            activity: &self.activity,
            learning: &*self.storage,
            cache: &self.people,
        }
    }

    pub(crate) fn privacy_ports(&self) -> PrivacyPorts<'_> {
        let storage = &*self.storage;
        PrivacyPorts {
            data: storage,
            people: storage,
            audit: storage,
            cache: &self.people,
        }
    }

    pub(crate) fn progress_ports(&self) -> ProgressPorts<'_> {
        let storage = &*self.storage;
        ProgressPorts {
            learning: storage,
            roles: storage,
            admins: &self.admins,
            cache: &self.people,
            documents: self.documents.as_deref(),
            bot_username: self.bot_username.as_deref(),
        }
    }

    pub(crate) fn quiz_ports(&self) -> QuizPorts<'_> {
        QuizPorts {
            learning: &*self.storage,
            cache: &self.people,
            nav: self.nav_ports(),
            progress: self.progress_ports(),
        }
    }

    pub(crate) fn onboarding_ports(&self) -> OnboardingPorts<'_> {
        OnboardingPorts {
            learning: &*self.storage,
            cache: &self.people,
            state: &*self.state,
            nav: self.nav_ports(),
        }
    }

    pub(crate) fn stats_ports(&self) -> StatsPorts<'_> {
        let storage = &*self.storage;
        StatsPorts {
            lookup: storage,
            learning: storage,
            people: storage,
            audit: storage,
        }
    }

    pub(crate) fn export_ports(&self) -> ExportPorts<'_> {
        let storage = &*self.storage;
        ExportPorts {
            people: storage,
            audit: storage,
            state: &*self.state,
            queue: &self.exports,
        }
    }

    pub(crate) fn people_ports(&self) -> PeoplePorts<'_> {
        let storage = &*self.storage;
        PeoplePorts {
            records: storage,
            learning: storage,
            lookup: storage,
            personal: storage,
            audit: storage,
            state: &*self.state,
            cache: &self.people,
        }
    }

    pub(crate) fn role_ports(&self) -> RolePorts<'_> {
        let storage = &*self.storage;
        RolePorts {
            roles: storage,
            people: storage,
            access: storage,
            audit: storage,
            state: &*self.state,
            cache: &self.people,
            admins: &self.admins,
        }
    }

    pub(crate) fn lookup_ports(&self) -> LookupPorts<'_> {
        LookupPorts {
            people: self.people_ports(),
            nav: self.nav_ports(),
            progress: self.progress_ports(),
        }
    }

    pub(crate) fn access_ports(&self) -> AccessPorts<'_> {
        let storage = &*self.storage;
        AccessPorts {
            access: storage,
            people: storage,
            audit: storage,
            state: &*self.state,
            cache: &self.people,
            bot_username: self.bot_username.as_deref(),
        }
    }

    pub(crate) fn panel_ports(&self) -> PanelPorts<'_> {
        PanelPorts {
            admin: &*self.storage,
            access: self.access_ports(),
        }
    }

    pub(crate) fn broadcast_ports(&self) -> BroadcastPorts<'_> {
        let storage = &*self.storage;
        BroadcastPorts {
            broadcasts: storage,
            lookup: storage,
            people: storage,
            audit: storage,
            state: &*self.state,
        }
    }

    pub(crate) fn content_ports(&self) -> ContentPorts<'_> {
        let storage = &*self.storage;
        ContentPorts {
            content: storage,
            live: &self.content,
            people: storage,
            lookup: storage,
            audit: storage,
            state: &*self.state,
            nav: self.nav_ports(),
            bot_username: self.bot_username.as_deref(),
        }
    }
}
