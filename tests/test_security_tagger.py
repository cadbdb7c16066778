"""POST /api/v1/tag goes through services.evidence: the admin's switch and the active model version."""
from __future__ import annotations

import pytest

from screening.extensions import db
from screening.nlp import runtime, store
from screening.services import settings

TEXT = "I asked the customer what exactly she needed."


@pytest.fixture
def app_config(small_models_dir):
    return {"MODELS_DIR": str(small_models_dir)}


def test_tag_works_with_the_active_model(app, client, api_token, small_models_dir):
    response = client.post("/api/v1/tag", json={"text": TEXT, "lang": "en"}, headers=api_token())
    assert response.status_code == 200
    assert response.get_json()["model_version"] == store.active_version(small_models_dir)


def test_tag_is_refused_when_the_admin_switched_the_classifier_off(app, client, api_token):
    with app.app_context():
        settings.set_value("classifier_enabled", False, None)
    response = client.post("/api/v1/tag", json={"text": TEXT, "lang": "en"}, headers=api_token())
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "tagger_disabled" and body["message"]
    with app.app_context():
        settings.set_value("classifier_enabled", True, None)
        db.session.commit()
    assert client.post("/api/v1/tag", json={"text": TEXT, "lang": "en"}, headers=api_token()).status_code == 200


class StaleTagger:
    version = "an-old-version"

    def tag(self, text, lang=None):
        return {"lang": "en", "model_version": self.version, "sentences": []}


def test_a_tagger_of_an_older_version_is_replaced(app, client, api_token, small_models_dir):
    """Training in another process (the retrain button, `flask train`) activates a new version;
    the API must not keep answering with the model it loaded before."""
    app.extensions[runtime.EXTENSION_KEY] = StaleTagger()
    response = client.post("/api/v1/tag", json={"text": TEXT, "lang": "en"}, headers=api_token())
    assert response.status_code == 200
    assert response.get_json()["model_version"] == store.active_version(small_models_dir) != StaleTagger.version
