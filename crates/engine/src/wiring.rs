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
            learning: &*self.storage.learning,
            cache: &self.people,
        }
    }

    pub(crate) fn privacy_ports(&self) -> PrivacyPorts<'_> {
        PrivacyPorts {
            data: &*self.storage.personal,
            people: &*self.storage.records,
            audit: &*self.storage.admin,
            cache: &self.people,
        }
    }

    pub(crate) fn progress_ports(&self) -> ProgressPorts<'_> {
        ProgressPorts {
            learning: &*self.storage.learning,
            roles: &*self.storage.roles,
            admins: &self.admins,
            cache: &self.people,
            documents: self.documents.as_deref(),
            bot_username: self.bot_username.as_deref(),
        }
    }

    pub(crate) fn quiz_ports(&self) -> QuizPorts<'_> {
        QuizPorts {
            learning: &*self.storage.learning,
            cache: &self.people,
            nav: self.nav_ports(),
            progress: self.progress_ports(),
        }
    }

    pub(crate) fn onboarding_ports(&self) -> OnboardingPorts<'_> {
        OnboardingPorts {
            learning: &*self.storage.learning,
            cache: &self.people,
            state: &*self.state,
            nav: self.nav_ports(),
        }
    }

    pub(crate) fn stats_ports(&self) -> StatsPorts<'_> {
        StatsPorts {
            lookup: &*self.storage.lookup,
            learning: &*self.storage.learning,
            people: &*self.storage.records,
            audit: &*self.storage.admin,
        }
    }

    pub(crate) fn export_ports(&self) -> ExportPorts<'_> {
        ExportPorts {
            people: &*self.storage.records,
            audit: &*self.storage.admin,
            state: &*self.state,
            queue: &self.exports,
        }
    }

    pub(crate) fn people_ports(&self) -> PeoplePorts<'_> {
        PeoplePorts {
            records: &*self.storage.records,
            learning: &*self.storage.learning,
            lookup: &*self.storage.lookup,
            personal: &*self.storage.personal,
            audit: &*self.storage.admin,
            state: &*self.state,
            cache: &self.people,
        }
    }

    pub(crate) fn role_ports(&self) -> RolePorts<'_> {
        RolePorts {
            roles: &*self.storage.roles,
            people: &*self.storage.records,
            access: &*self.storage.access,
            audit: &*self.storage.admin,
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
        AccessPorts {
            access: &*self.storage.access,
            people: &*self.storage.records,
            audit: &*self.storage.admin,
            state: &*self.state,
            cache: &self.people,
            bot_username: self.bot_username.as_deref(),
        }
    }

    pub(crate) fn panel_ports(&self) -> PanelPorts<'_> {
        PanelPorts {
            admin: &*self.storage.admin,
            access: self.access_ports(),
        }
    }

    pub(crate) fn broadcast_ports(&self) -> BroadcastPorts<'_> {
        BroadcastPorts {
            broadcasts: &*self.storage.broadcasts,
            lookup: &*self.storage.lookup,
            people: &*self.storage.records,
            audit: &*self.storage.admin,
            state: &*self.state,
        }
    }

    pub(crate) fn content_ports(&self) -> ContentPorts<'_> {
        ContentPorts {
            content: &*self.storage.content,
            live: &self.content,
            people: &*self.storage.records,
            lookup: &*self.storage.lookup,
            audit: &*self.storage.admin,
            state: &*self.state,
            nav: self.nav_ports(),
            bot_username: self.bot_username.as_deref(),
        }
    }
}
