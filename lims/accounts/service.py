"""Rules for organisations, contacts, users and API tokens: plain functions over a ``Session``.

Every function takes the acting ``Principal``; reads are scoped to what the actor may see
(a customer sees its own organisation only, and another's records look absent), writes check
the actor's role and are audited in the same transaction.
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lims.accounts import auth, usernames
from lims.accounts.auth import digest, new_api_token_secret
from lims.accounts.customer_kinds import identity_of
from lims.accounts.models import (
    STAFF_ROLES,
    ApiToken,
    BrowserSession,
    Contact,
    ContactCreate,
    ContactUpdate,
    CustomerKind,
    Language,
    Organisation,
    OrganisationCreate,
    OrganisationUpdate,
    Role,
    User,
    UserCreate,
    UserUpdate,
)
from lims.accounts.passwords import (
    WeakPassword,
    check_password_strength,
    hash_password,
    temporary_password,
)
from lims.accounts.principal import (
    SCOPES,
    Principal,
    require_organisation_access,
    require_role,
)
from lims.audit.trail import save, set_context
from lims.config import Settings
from lims.db import lock_row, utcnow
from lims.errors import Conflict, InvalidInput, NotFound, PermissionDenied

ORGANISATION_MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)


def refuse_if_erased(organisation: Organisation) -> None:
    if organisation.erased_at is not None:
        raise Conflict(
            "the personal data of customer %(organisation_id)s has been erased",
            code="accounts.customer_erased",
            organisation_id=organisation.id,
        )


def _acting(db_session: Session, actor: Principal) -> None:
    set_context(db_session, actor.audit_context())


def _commit(db_session: Session, conflict: Conflict) -> None:
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        raise conflict from None


# -- organisations ------------------------------------------------------------------------


def list_organisations(db_session: Session, *, actor: Principal) -> list[Organisation]:
    query = select(Organisation).order_by(col(Organisation.name))
    if not actor.reads_everything:
        query = query.where(Organisation.id == actor.organisation_id)
    return list(db_session.exec(query))


def get_organisation(
    db_session: Session, *, actor: Principal, organisation_id: int
) -> Organisation:
    require_organisation_access(actor, organisation_id, f"organisation {organisation_id}")
    organisation = db_session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=organisation_id,
        )
    return organisation


def find_organisation_by_business_id(
    db_session: Session, *, business_id: str
) -> Organisation | None:
    return db_session.exec(
        select(Organisation).where(Organisation.business_id == business_id)
    ).first()


def create_organisation(
    db_session: Session, *, actor: Principal, data: OrganisationCreate
) -> Organisation:
    require_role(actor, *ORGANISATION_MANAGERS, doing="register organisations")
    identity = identity_of(
        data.kind,
        data.country,
        data.business_id,
        data.vat_number,
        vat_registered=data.vat_registered,
    )
    business_id = identity.business_id
    if business_id is not None and find_organisation_by_business_id(
        db_session, business_id=business_id
    ):
        raise Conflict(
            "an organisation with business ID %(business_id)s is already registered",
            code="accounts.organisation_business_id_already_registered",
            business_id=business_id,
            location=("business_id",),
        )
    _acting(db_session, actor)
    organisation = Organisation.model_validate(
        data.model_dump(exclude={"vat_registered"}),
        update={
            "country": identity.country,
            "business_id": business_id,
            "vat_number": identity.vat_number,
        },
    )
    db_session.add(organisation)
    _commit(
        db_session,
        Conflict(
            "an organisation with business ID %(business_id)s is already registered",
            code="accounts.business_id_taken",
            business_id=business_id,
            location=("business_id",),
        ),
    )
    db_session.refresh(organisation)
    return organisation


def update_organisation(
    db_session: Session, *, actor: Principal, organisation_id: int, data: OrganisationUpdate
) -> Organisation:
    organisation = get_organisation(db_session, actor=actor, organisation_id=organisation_id)
    require_role(actor, *ORGANISATION_MANAGERS, doing="change organisations")
    refuse_if_erased(organisation)
    changes = data.model_dump(exclude_unset=True)
    if "vat_number" in changes:
        changes["vat_number"] = identity_of(
            CustomerKind(organisation.kind),
            organisation.country,
            organisation.business_id,
            changes["vat_number"],
        ).vat_number
    organisation.sqlmodel_update(changes)
    return save(db_session, actor.audit_context(), organisation)


def list_contacts(db_session: Session, *, actor: Principal, organisation_id: int) -> list[Contact]:
    get_organisation(db_session, actor=actor, organisation_id=organisation_id)
    return list(
        db_session.exec(
            select(Contact)
            .where(Contact.organisation_id == organisation_id)
            .order_by(col(Contact.id))
        )
    )


def add_contact(
    db_session: Session, *, actor: Principal, organisation_id: int, data: ContactCreate
) -> Contact:
    """Managers add contacts to any organisation, a customer to its own."""
    get_organisation(db_session, actor=actor, organisation_id=organisation_id)
    if not actor.is_customer:
        require_role(actor, *ORGANISATION_MANAGERS, doing="add contacts")
    contact = Contact.model_validate(data, update={"organisation_id": organisation_id})
    return save(db_session, actor.audit_context(), contact)


def _contact_to_change(
    db_session: Session, *, actor: Principal, organisation_id: int, contact_id: int, doing: str
) -> Contact:
    """The organisation's contact, for whoever may change its contacts (``add_contact``)."""
    get_organisation(db_session, actor=actor, organisation_id=organisation_id)
    contact = db_session.get(Contact, contact_id)
    if contact is None or contact.organisation_id != organisation_id:
        raise NotFound(
            "contact %(contact_id)s does not exist",
            code="accounts.contact_does_exist",
            contact_id=contact_id,
        )
    if not actor.is_customer:
        require_role(actor, *ORGANISATION_MANAGERS, doing=doing)
    return contact


def update_contact(
    db_session: Session,
    *,
    actor: Principal,
    organisation_id: int,
    contact_id: int,
    data: ContactUpdate,
) -> Contact:
    contact = _contact_to_change(
        db_session, actor=actor, organisation_id=organisation_id, contact_id=contact_id,
        doing="change contacts",
    )  # fmt: skip
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise InvalidInput(
            "a contact has a name", code="accounts.contact_has_name", location=("name",)
        )
    contact.sqlmodel_update(changes)
    return save(db_session, actor.audit_context(), contact)


def remove_contact(
    db_session: Session, *, actor: Principal, organisation_id: int, contact_id: int
) -> None:
    """The person no longer speaks for the customer; documents issued naming them stay as
    issued, and the audit trail keeps the record."""
    contact = _contact_to_change(
        db_session, actor=actor, organisation_id=organisation_id, contact_id=contact_id,
        doing="remove contacts",
    )  # fmt: skip
    _acting(db_session, actor)
    db_session.delete(contact)
    db_session.commit()


# -- users --------------------------------------------------------------------------------


def _visible_users(actor: Principal) -> SelectOfScalar[User]:
    query = select(User).where(col(User.deleted_at).is_(None))
    if not actor.reads_everything:
        query = query.where(User.organisation_id == actor.organisation_id)
    return query


def list_users(db_session: Session, *, actor: Principal) -> list[User]:
    return list(db_session.exec(_visible_users(actor).order_by(col(User.username))))


def last_sign_ins(db_session: Session, *, actor: Principal) -> dict[int, datetime]:
    """When each user last signed in in a browser (the start of their newest session), for
    whoever reads everyone's credentials (an administrator, an auditor); nobody else's
    answer holds any.  Sign-ins of API clients start no session and are not counted."""
    if not (actor.has_any(Role.ADMIN) or actor.is_auditor):
        return {}
    newest = (
        select(BrowserSession.user_id, func.max(col(BrowserSession.created_at)))
        .group_by(col(BrowserSession.user_id))
    )  # fmt: skip
    return {user_id: started for user_id, started in db_session.exec(newest)}


def get_user(db_session: Session, *, actor: Principal, user_id: int) -> User:
    user = db_session.exec(_visible_users(actor).where(User.id == user_id)).first()
    if user is None:
        raise NotFound(
            "user %(user_id)s does not exist", code="accounts.user_does_exist", user_id=user_id
        )
    return user


def _locked_user(db_session: Session, *, actor: Principal, user_id: int) -> User:
    """``get_user`` under the user's row lock: of two changes to one user (a reset and a
    role change, two password changes) the second sees what the first committed, so no
    token generation is lost and one current password is used once."""
    get_user(db_session, actor=actor, user_id=user_id)
    user = lock_row(db_session, User, user_id)
    if user is None:
        raise NotFound(
            "user %(user_id)s does not exist", code="accounts.user_does_exist", user_id=user_id
        )
    return user


def _check_roles(db_session: Session, roles: list[Role], organisation_id: int | None) -> None:
    if Role.CUSTOMER in roles:
        if len(roles) > 1:
            raise InvalidInput(
                "a customer user holds the customer role only",
                code="accounts.customer_user_holds_customer_role",
                location=("roles",),
            )
        if organisation_id is None:
            raise InvalidInput(
                "a customer user belongs to an organisation",
                code="accounts.customer_user_belongs_organisation",
                location=("organisation_id",),
            )
        if db_session.get(Organisation, organisation_id) is None:
            raise InvalidInput(
                "organisation %(organisation_id)s does not exist",
                code="accounts.organisation_does_exist",
                organisation_id=organisation_id,
                location=("organisation_id",),
            )
    elif organisation_id is not None:
        raise InvalidInput(
            "only customer users belong to an organisation",
            code="accounts.only_customer_users_belong_organisation",
            location=("organisation_id",),
        )
    if Role.AUDITOR in roles and set(roles) & STAFF_ROLES:
        raise InvalidInput(
            "an auditor changes nothing, so holds no staff role",
            code="accounts.auditor_changes_nothing_so_holds",
            location=("roles",),
        )


def _set_password(user: User, password: str, *, field: str = "password") -> None:
    try:
        check_password_strength(password, personal=(user.username, user.full_name, user.email))
    except WeakPassword as error:
        raise InvalidInput(
            "%(reason)s", code="accounts.field_invalid", reason=error.reason, location=(field,)
        ) from None
    user.password_hash = hash_password(password)


def _new_username(db_session: Session, offered: str) -> str:
    """``offered`` normalised, refused when malformed or when it reads as an existing one."""
    username = usernames.normalise(offered)
    if problem := usernames.problem_with(username):
        raise InvalidInput(
            "%(reason)s", code="accounts.username_refused", reason=problem, location=("username",)
        )
    shape = usernames.skeleton(username)
    # Deleted users count: their names stay in the audit trail.
    for existing in db_session.exec(select(User.username)):
        if existing == username:
            raise Conflict(
                "the username %(username)s is taken",
                code="accounts.username_taken",
                username=username,
            )
        if usernames.skeleton(existing) == shape:
            raise Conflict(
                "the username %(username)s looks like the existing username %(existing)s",
                code="accounts.username_looks_like_existing_username",
                username=username,
                existing=existing,
            )
    return username


def create_user(db_session: Session, *, actor: Principal, data: UserCreate) -> User:
    require_role(actor, Role.ADMIN, doing="create users")
    roles = sorted(set(data.roles))
    _check_roles(db_session, roles, data.organisation_id)
    username = _new_username(db_session, data.username)
    _acting(db_session, actor)
    user = User(
        username=username,
        full_name=data.full_name,
        job_title=data.job_title,
        email=data.email,
        roles=[role.value for role in roles],
        organisation_id=data.organisation_id,
        language=data.language.value,
    )
    _set_password(user, data.password)
    db_session.add(user)
    _commit(
        db_session,
        Conflict(
            "the username %(username)s is taken", code="accounts.username_taken", username=username
        ),
    )
    db_session.refresh(user)
    return user


# A job title is what a signature certifies the person's function to be: not self-declared.
ADMIN_ONLY_FIELDS = frozenset({"roles", "organisation_id", "active", "job_title"})


def update_user(db_session: Session, *, actor: Principal, user_id: int, data: UserUpdate) -> User:
    """Users change their own name, e-mail and language; an admin anything but passwords
    (``change_own_password`` and ``reset_password`` do those)."""
    user = _locked_user(db_session, actor=actor, user_id=user_id)
    changes = data.model_dump(exclude_unset=True)
    is_admin = actor.has_any(Role.ADMIN)
    if not is_admin and (user.id != actor.user_id or actor.is_auditor):
        raise PermissionDenied(
            "only an administrator may change another user",
            code="accounts.only_administrator_may_change_another",
        )
    if not is_admin and ADMIN_ONLY_FIELDS & changes.keys():
        raise PermissionDenied(
            "only an administrator may change roles, job title, organisation or status",
            code="accounts.only_administrator_may_change_roles",
        )
    roles = [Role(role) for role in changes.get("roles", user.roles)]
    organisation_id = changes.get("organisation_id", user.organisation_id)
    _check_roles(db_session, roles, organisation_id)
    demotes_self = "roles" in changes and Role.ADMIN not in roles
    if is_admin and user.id == actor.user_id and (demotes_self or changes.get("active") is False):
        raise Conflict(
            "you cannot remove your own administrator role or disable yourself",
            code="accounts.you_cannot_remove_your_own",
        )
    if "roles" in changes:
        changes["roles"] = sorted(role.value for role in roles)
        user.token_generation += 1
    if changes.get("active") is False:
        user.token_generation += 1
    user.sqlmodel_update(changes)
    return save(db_session, actor.audit_context(), user)


def change_own_password(
    db_session: Session,
    engine: Engine,
    settings: Settings,
    *,
    actor: Principal,
    current_password: str,
    new_password: str,
    client_address: str | None,
) -> User:
    """A person chooses a new password, proving the current one; every credential issued
    before dies.  Wrong current passwords are throttled like failed logins."""
    if actor.via == "api_token":
        raise PermissionDenied(
            "an API token cannot change a password, so a leaked machine token "
            "cannot take over the account; log in as the person to change it",
            code="accounts.api_token_cannot_change_password",
        )
    user_id = actor.person_id(doing="change a password")
    try:
        checked = auth.authenticate_password(
            engine,
            settings,
            username=get_user(db_session, actor=actor, user_id=user_id).username,
            password=current_password,
            client_address=client_address,
        )
    except auth.Unauthenticated:
        raise InvalidInput(
            "the current password is wrong; nothing was changed",
            code="accounts.current_password_wrong_nothing_was",
            location=("current_password",),
        ) from None
    if new_password == current_password:
        raise InvalidInput(
            "the new password must differ from the current one",
            code="accounts.new_password_must_differ_from",
            location=("new_password",),
        )
    user = _locked_user(db_session, actor=actor, user_id=user_id)
    if user.password_hash != checked.password_hash:
        # Another request changed the password after this one's was checked: its change
        # revoked the credential this request came with.
        raise auth.Unauthenticated(
            "the password was changed meanwhile; log in again",
            code="accounts.password_was_changed_meanwhile_log",
        )
    _set_password(user, new_password, field="new_password")
    user.must_change_password = False
    user.token_generation += 1
    return save(db_session, actor.audit_context(), user)


def reset_password(db_session: Session, *, actor: Principal, user_id: int) -> tuple[User, str]:
    """An administrator gives another user a random temporary password, shown once.

    Every credential the user holds dies, and until the user chooses a password of their
    own their sign-ins reach nothing else.  The audit event says it was a reset.
    """
    require_role(actor, Role.ADMIN, doing="reset passwords")
    if actor.via == "api_token":
        raise PermissionDenied(
            "an API token cannot reset passwords, so a leaked machine token cannot "
            "take over accounts; log in as an administrator",
            code="accounts.api_token_cannot_reset_passwords",
        )
    user = _locked_user(db_session, actor=actor, user_id=user_id)
    if user.id == actor.user_id:
        raise Conflict(
            "change your own password with your current one, not by a reset",
            code="accounts.change_your_own_password_your",
        )
    temporary = temporary_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.token_generation += 1
    reset = replace(actor.audit_context(), reason="password reset by an administrator")
    return save(db_session, reset, user), temporary


def delete_user(db_session: Session, *, actor: Principal, user_id: int) -> None:
    """Remove a user's access; the record stays, because audit events name it."""
    require_role(actor, Role.ADMIN, doing="delete users")
    user = _locked_user(db_session, actor=actor, user_id=user_id)
    if user.id == actor.user_id:
        raise Conflict("you cannot delete yourself", code="accounts.you_cannot_delete_yourself")
    _acting(db_session, actor)
    user.deleted_at = utcnow()
    user.active = False
    user.token_generation += 1
    db_session.add(user)
    db_session.commit()


def dismiss_first_steps(db_session: Session, *, actor: Principal) -> User:
    """Put away the start page's first-steps hint for good, for the person acting.

    Anyone may, an auditor too: it is the person's own page, not a record of the lab's work.
    It is still a change to a user record, so it is audited like any other; dismissing
    again changes nothing and writes no second event.
    """
    user = get_user(
        db_session, actor=actor, user_id=actor.person_id(doing="dismiss the first-steps hint")
    )
    if user.first_steps_dismissed_at is not None:
        return user
    user.first_steps_dismissed_at = utcnow()
    return save(db_session, actor.audit_context(), user)


def choose_own_language(db_session: Session, *, actor: Principal, language: Language) -> User:
    """The language the person reads the UI in, remembered on their account.

    Anyone may, an auditor too (whom ``update_user`` refuses any change): like the
    first-steps hint it is the person's own page, not a record of the lab's work, and it is
    audited like any change to a user record.  Choosing the same language again writes nothing.
    """
    user = _locked_user(
        db_session, actor=actor, user_id=actor.person_id(doing="choose their own language")
    )
    if user.language == language.value:
        return user
    user.language = language.value
    return save(db_session, actor.audit_context(), user)


def create_first_admin(
    db_session: Session, *, actor: Principal, username: str, full_name: str, password: str
) -> User:
    return create_user(
        db_session,
        actor=actor,
        data=UserCreate(
            username=username, full_name=full_name, password=password, roles=[Role.ADMIN]
        ),
    )


# -- API tokens ---------------------------------------------------------------------------


def _visible_tokens(actor: Principal) -> SelectOfScalar[ApiToken]:
    query = select(ApiToken)
    if not (actor.has_any(Role.ADMIN) or actor.is_auditor):
        query = query.where(ApiToken.user_id == actor.user_id)
    return query


def create_api_token(
    db_session: Session,
    *,
    actor: Principal,
    name: str,
    scopes: list[str],
    user_id: int | None,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """Make a token for a machine client; its secret is returned once and never stored."""
    if actor.via == "api_token":
        raise PermissionDenied(
            "an API token cannot create API tokens; log in as a person",
            code="accounts.api_token_cannot_create_api",
        )
    if actor.is_auditor and not actor.is_staff:
        raise PermissionDenied(
            "an auditor changes nothing; an administrator makes its tokens",
            code="accounts.auditor_changes_nothing_administrator_makes",
        )
    owner_id = user_id if user_id is not None else actor.user_id
    if owner_id != actor.user_id:
        require_role(actor, Role.ADMIN, doing="create API tokens for other users")
    if owner_id is None:
        raise InvalidInput(
            "name the user the token acts for",
            code="accounts.name_user_token_acts",
            location=("user_id",),
        )
    owner = get_user(db_session, actor=actor, user_id=owner_id)
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise InvalidInput(
            "scopes must be chosen from %(scopes)s",
            code="accounts.scopes_must_chosen_from",
            scopes=", ".join(sorted(SCOPES)),
            location=("scopes",),
        )
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInput(
            "the expiry must be in the future",
            code="accounts.expiry_must_future",
            location=("expires_at",),
        )
    _acting(db_session, actor)
    secret = new_api_token_secret()
    token = ApiToken(
        user_id=owner_id,
        name=name,
        token_hash=digest(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        token_generation=owner.token_generation,
    )
    db_session.add(token)
    db_session.commit()
    db_session.refresh(token)
    return token, secret


def list_api_tokens(
    db_session: Session, *, actor: Principal, user_id: int | None = None
) -> list[ApiToken]:
    """The tokens ``actor`` may see (an administrator and an auditor: everyone's), or only
    those acting for ``user_id``: a person's own on their account page, one user's on the
    administrator's page of that user."""
    query = _visible_tokens(actor)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(db_session.exec(query.order_by(col(ApiToken.id))))


def revoke_api_token(db_session: Session, *, actor: Principal, token_id: int) -> ApiToken:
    token = db_session.exec(_visible_tokens(actor).where(ApiToken.id == token_id)).first()
    if token is None:
        raise NotFound(
            "API token %(token_id)s does not exist",
            code="accounts.api_token_does_exist",
            token_id=token_id,
        )
    if actor.is_auditor and not actor.is_staff:
        raise PermissionDenied(
            "an auditor changes nothing", code="accounts.auditor_changes_nothing"
        )
    if token.revoked_at is None:
        _acting(db_session, actor)
        token.revoked_at = utcnow()
        db_session.add(token)
        db_session.commit()
        db_session.refresh(token)
    return token
