//! `/api/v1/me`: who the token belongs to.

use actix_web::{HttpResponse, get, web};

use crate::api::v1::users::User;
use crate::app::AppState;
use crate::auth::principal::Caller;
use crate::db::users;
use crate::error::{Error, Result};
use crate::http::respond;

/// The current user
///
/// The account the access token belongs to; 401 if it has been deactivated since the token was issued.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The authenticated user", body = User, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse> {
    if caller.principal.role == crate::domain::role::Role::Integration {
        return Err(Error::Forbidden("an integration client is not a user: it has no profile".into()));
    }
    let id = caller.principal.user_id.clone();
    // A token outliving its deactivated user is refused here too.
    let row =
        state.db.run(move |c| users::find(c, &id)).await?.filter(|u| u.active).ok_or(Error::Unauthorized)?;
    let version = row.version;
    Ok(respond::ok_versioned(&User::try_from(row)?, version))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(me);
}
