//! Tests for framework detection: fixture projects, in memory, and the commands they get.

use super::detect::{is_test_file, strings, App};
use super::scan::{callable_bare, imports, module_name, scan_apps, settings_module, statements};
use super::*;

fn deps(reqs: &[&str]) -> Deps {
    Deps::from_requirements(reqs)
}

fn run(files: &[(&str, &str)], reqs: &[&str]) -> Result<Option<Served>, FrameworkError> {
    let files: Vec<SourceFile> = files
        .iter()
        .map(|&(rel, text)| SourceFile { rel, text })
        .collect();
    detect(&files, &deps(reqs), None)
}

/// What a fixture project must give.
enum Want {
    Nothing,
    Serve {
        framework: Framework,
        module: &'static str,
        attr: &'static str,
        factory: bool,
        file: &'static str,
        command: &'static [&'static str],
    },
    Ambiguous(&'static [&'static str]),
}

fn check(name: &str, files: &[(&str, &str)], reqs: &[&str], want: Want) {
    let got = run(files, reqs);
    match want {
        Want::Nothing => assert_eq!(got, Ok(None), "{name}"),
        Want::Ambiguous(candidates) => assert_eq!(
            got,
            Err(FrameworkError::Ambiguous {
                candidates: strings(candidates)
            }),
            "{name}"
        ),
        Want::Serve {
            framework,
            module,
            attr,
            factory,
            file,
            command,
        } => {
            let served = match got {
                Ok(Some(served)) => served,
                other => panic!("{name}: expected an app, got {other:?}"),
            };
            let app = App {
                framework,
                module: module.to_owned(),
                attr: attr.to_owned(),
                factory,
                file: file.to_owned(),
            };
            assert_eq!(served.app, app, "{name}");
            assert_eq!(served.command, strings(command), "{name}");
            let (port, server) = match (framework, command[0]) {
                (Framework::Flask, "gunicorn") => (5000, "gunicorn"),
                (Framework::Flask, _) => (5000, "flask"),
                (_, "python3") => (8000, "django-runserver"),
                (_, server) => (8000, server),
            };
            assert_eq!(served.port, port, "{name}");
            assert_eq!(served.server, server, "{name}");
            if framework != Framework::Django {
                assert_eq!(served.workdir, "", "{name}");
                assert_eq!(served.manage, None, "{name}");
            }
        }
    }
}

const UV_MAIN_APP: &[&str] = &["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"];

const DJANGO_MANAGE: &str = r#"#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
"""Run administrative tasks."""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
try:
    from django.core.management import execute_from_command_line
except ImportError as exc:
    raise ImportError("Couldn't import Django.") from exc
execute_from_command_line(sys.argv)


if __name__ == "__main__":
main()
"#;
const DJANGO_WSGI: &str = "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n\napplication = get_wsgi_application()\n";
const DJANGO_ASGI: &str = "import os\n\nfrom django.core.asgi import get_asgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n\napplication = get_asgi_application()\n";
const DJANGO_SETTINGS: &str = "DEBUG = False\nINSTALLED_APPS = []\nROOT_URLCONF = 'mysite.urls'\n";

macro_rules! fixtures {
    ($($name:ident: [$($file:expr),* $(,)?], [$($req:expr),* $(,)?] => $want:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), &[$($file),*], &[$($req),*], $want);
            }
        )*
    };
}

fixtures! {
    fastapi_flat_main:
        [("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get('/')\ndef root():\n    return {}\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_in_package_src_layout:
        [("svc/__init__.py", ""), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI(title='svc')\n")], ["fastapi>=0.110"]
        => Want::Serve { framework: Framework::FastApi, module: "svc.main", attr: "app", factory: false, file: "svc/main.py",
            command: &["uvicorn", "svc.main:app", "--host", "0.0.0.0", "--port", "8000"] };
    fastapi_in_package_init:
        [("svc/__init__.py", "from fastapi import FastAPI\napi = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "svc", attr: "api", factory: false, file: "svc/__init__.py",
            command: &["uvicorn", "svc:api", "--host", "0.0.0.0", "--port", "8000"] };
    fastapi_module_qualified:
        [("main.py", "import fastapi\n\napp = fastapi.FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_annotated_assignment:
        [("main.py", "from fastapi import FastAPI\napp: FastAPI = FastAPI(\n    title='x',\n    version='1',\n)\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_class_alias:
        [("main.py", "from fastapi import FastAPI as F\napp = F()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_module_alias:
        [("main.py", "import fastapi as fa\napp = fa.FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_parenthesised_multiline_import_alias:
        [("main.py", "from fastapi import (\n    Depends,\n    FastAPI as Api,  # the app class\n)\n\napp = Api()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    fastapi_factory_returning_instance:
        [("svc/main.py", "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "svc.main", attr: "create_app", factory: true, file: "svc/main.py",
            command: &["uvicorn", "svc.main:create_app", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
    fastapi_factory_returning_local:
        [("main.py", "from fastapi import FastAPI\n\ndef build(settings=None):\n    app = FastAPI()\n    app.include_router(r)\n    return app\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "build", factory: true, file: "main.py",
            command: &["uvicorn", "main:build", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
    fastapi_factory_by_return_annotation:
        [("main.py", "import fastapi\nfrom .setup import configure\n\ndef make(*, debug: bool = False) -> fastapi.FastAPI:\n    return configure(debug)\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "make", factory: true, file: "main.py",
            command: &["uvicorn", "main:make", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
    fastapi_factory_string_annotation_multiline_signature:
        [("main.py", "from fastapi import FastAPI\n\ndef make(\n    debug: bool = False,\n    name: str = 'x',\n) -> 'FastAPI':\n    return configure()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "make", factory: true, file: "main.py",
            command: &["uvicorn", "main:make", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
    factory_needing_arguments_is_not_servable:
        [("main.py", "from fastapi import FastAPI\n\ndef create_app(settings: dict[str, int]):\n    return FastAPI()\n")], []
        => Want::Nothing;
    async_factory_is_not_servable:
        [("main.py", "from fastapi import FastAPI\n\nasync def create_app():\n    return FastAPI()\n")], []
        => Want::Nothing;
    module_level_call_of_local_factory_is_an_instance:
        [("main.py", "from fastapi import FastAPI\n\ndef create_app(settings):\n    return FastAPI()\n\napp = create_app(load())\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    instance_preferred_over_factory_in_same_module:
        [("main.py", "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n\napplication = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "application", factory: false, file: "main.py",
            command: &["uvicorn", "main:application", "--host", "0.0.0.0", "--port", "8000"] };
    app_attr_preferred_within_module:
        [("main.py", "from fastapi import FastAPI\nadmin = FastAPI()\nzebra = FastAPI()\napp = FastAPI()\napp.mount('/admin', admin)\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    starlette_instance:
        [("app.py", "from starlette.applications import Starlette\nfrom starlette.routing import Route\n\napp = Starlette(routes=[Route('/', home)])\n")], ["starlette"]
        => Want::Serve { framework: Framework::Starlette, module: "app", attr: "app", factory: false, file: "app.py",
            command: &["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"] };
    starlette_factory_with_alias:
        [("web/server.py", "from starlette.applications import Starlette as S\n\ndef make_app():\n    app = S(debug=True)\n    return app\n")], []
        => Want::Serve { framework: Framework::Starlette, module: "web.server", attr: "make_app", factory: true, file: "web/server.py",
            command: &["uvicorn", "web.server:make_app", "--host", "0.0.0.0", "--port", "8000", "--factory"] };
    fastapi_beats_starlette_sub_app:
        [("api/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("api/app.py", "from starlette.applications import Starlette\nsub = Starlette()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "api.main", attr: "app", factory: false, file: "api/main.py",
            command: &["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"] };
    flask_without_gunicorn_uses_flask_cli:
        [("app.py", "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'hi'\n")], ["flask"]
        => Want::Serve { framework: Framework::Flask, module: "app", attr: "app", factory: false, file: "app.py",
            command: &["flask", "--app", "app:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
    flask_with_gunicorn:
        [("web/app.py", "import flask\napp = flask.Flask(__name__, static_folder='s')\n")], ["Flask>=3", "gunicorn==22.0"]
        => Want::Serve { framework: Framework::Flask, module: "web.app", attr: "app", factory: false, file: "web/app.py",
            command: &["gunicorn", "--bind", "0.0.0.0:5000", "web.app:app"] };
    flask_factory_with_gunicorn:
        [("shop/__init__.py", "from flask import Flask\n\ndef create_app(test_config=None):\n    app = Flask(__name__, instance_relative_config=True)\n    if test_config:\n        app.config.update(test_config)\n    return app\n")], ["gunicorn"]
        => Want::Serve { framework: Framework::Flask, module: "shop", attr: "create_app", factory: true, file: "shop/__init__.py",
            command: &["gunicorn", "--bind", "0.0.0.0:5000", "shop:create_app()"] };
    flask_factory_without_gunicorn:
        [("shop/__init__.py", "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n")], ["flask"]
        => Want::Serve { framework: Framework::Flask, module: "shop", attr: "create_app", factory: true, file: "shop/__init__.py",
            command: &["flask", "--app", "shop:create_app()", "run", "--host", "0.0.0.0", "--port", "5000"] };
    flask_factory_recognised_by_name:
        [("shop/factory.py", "from flask import Flask\nfrom .ext import build\n\ndef create_app():\n    app = build(Flask)\n    return app\n")], []
        => Want::Serve { framework: Framework::Flask, module: "shop.factory", attr: "create_app", factory: true, file: "shop/factory.py",
            command: &["flask", "--app", "shop.factory:create_app()", "run", "--host", "0.0.0.0", "--port", "5000"] };
    create_app_without_flask_import_is_nothing:
        [("shop/factory.py", "def create_app():\n    return build()\n")], []
        => Want::Nothing;
    flask_alias_and_semicolons:
        [("server.py", "from flask import Flask as Web; app = Web(__name__)\n")], []
        => Want::Serve { framework: Framework::Flask, module: "server", attr: "app", factory: false, file: "server.py",
            command: &["flask", "--app", "server:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
    byte_order_mark:
        [("main.py", "\u{feff}from fastapi import FastAPI as F\napp = F()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    crlf_line_endings:
        [("main.py", "from fastapi import FastAPI\r\n\r\ndef make():\r\n    return FastAPI()\r\n\r\napp = FastAPI()\r\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    django_gunicorn:
        [("manage.py", DJANGO_MANAGE), ("mysite/__init__.py", ""), ("mysite/settings.py", DJANGO_SETTINGS),
         ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["Django>=5", "gunicorn", "uvicorn"]
        => Want::Serve { framework: Framework::Django, module: "mysite.wsgi", attr: "application", factory: false, file: "mysite/wsgi.py",
            command: &["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi:application"] };
    django_uvicorn_when_no_gunicorn:
        [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS),
         ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["django", "uvicorn[standard]"]
        => Want::Serve { framework: Framework::Django, module: "mysite.asgi", attr: "application", factory: false, file: "mysite/asgi.py",
            command: &["uvicorn", "mysite.asgi:application", "--host", "0.0.0.0", "--port", "8000"] };
    django_gunicorn_without_wsgi_falls_to_uvicorn:
        [("manage.py", DJANGO_MANAGE), ("mysite/asgi.py", DJANGO_ASGI)], ["gunicorn", "uvicorn"]
        => Want::Serve { framework: Framework::Django, module: "mysite.asgi", attr: "application", factory: false, file: "mysite/asgi.py",
            command: &["uvicorn", "mysite.asgi:application", "--host", "0.0.0.0", "--port", "8000"] };
    django_runserver_without_servers:
        [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS),
         ("mysite/wsgi.py", DJANGO_WSGI), ("mysite/asgi.py", DJANGO_ASGI)], ["django"]
        => Want::Serve { framework: Framework::Django, module: "mysite.wsgi", attr: "application", factory: false, file: "mysite/wsgi.py",
            command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
    django_runserver_without_wsgi_or_asgi:
        [("manage.py", DJANGO_MANAGE), ("mysite/settings.py", DJANGO_SETTINGS)], ["gunicorn"]
        => Want::Serve { framework: Framework::Django, module: "mysite.settings", attr: "", factory: false, file: "manage.py",
            command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
    django_nested_settings_package:
        [("manage.py", "import os\nos.environ.setdefault(\n    'DJANGO_SETTINGS_MODULE',\n    'config.settings.production',\n)\n"),
         ("config/settings/production.py", DJANGO_SETTINGS), ("config/wsgi.py", DJANGO_WSGI)], ["gunicorn"]
        => Want::Serve { framework: Framework::Django, module: "config.wsgi", attr: "application", factory: false, file: "config/wsgi.py",
            command: &["gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"] };
    django_environ_subscript_and_wrapped_wsgi:
        [("manage.py", "import os\nos.environ[\"DJANGO_SETTINGS_MODULE\"] = \"proj.settings\"\n"),
         ("proj/wsgi.py", "from django.core.wsgi import get_wsgi_application\nfrom whitenoise import WhiteNoise\napplication = WhiteNoise(get_wsgi_application())\n")], ["gunicorn"]
        => Want::Serve { framework: Framework::Django, module: "proj.wsgi", attr: "application", factory: false, file: "proj/wsgi.py",
            command: &["gunicorn", "--bind", "0.0.0.0:8000", "proj.wsgi:application"] };
    django_wsgi_without_application_is_ignored:
        [("manage.py", DJANGO_MANAGE), ("mysite/wsgi.py", "# application = get_wsgi_application()\n")], ["gunicorn"]
        => Want::Serve { framework: Framework::Django, module: "mysite.settings", attr: "", factory: false, file: "manage.py",
            command: &["python3", "manage.py", "runserver", "0.0.0.0:8000"] };
    manage_py_without_settings_is_not_django:
        [("manage.py", "import sys\nprint(sys.argv)\n# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\n")], ["django"]
        => Want::Nothing;
    preference_main_over_everything:
        [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("asgi.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("app.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("zzz/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("service.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "zzz.main", attr: "app", factory: false, file: "zzz/main.py",
            command: &["uvicorn", "zzz.main:app", "--host", "0.0.0.0", "--port", "8000"] };
    preference_app_over_asgi_server_api:
        [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("asgi.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("pkg/app.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "pkg.app", attr: "app", factory: false, file: "pkg/app.py",
            command: &["uvicorn", "pkg.app:app", "--host", "0.0.0.0", "--port", "8000"] };
    preference_server_over_api:
        [("api.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("server.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("routes.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "server", attr: "app", factory: false, file: "server.py",
            command: &["uvicorn", "server:app", "--host", "0.0.0.0", "--port", "8000"] };
    preference_shallowest_then_alphabetical:
        [("b/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("a/b/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("c/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "b.main", attr: "app", factory: false, file: "b/main.py",
            command: &["uvicorn", "b.main:app", "--host", "0.0.0.0", "--port", "8000"] };
    ambiguous_frameworks_without_deps:
        [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Ambiguous(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]);
    ambiguous_frameworks_when_deps_name_both:
        [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
        ["fastapi", "Flask"]
        => Want::Ambiguous(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]);
    deps_settle_between_frameworks:
        [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("svc/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
        ["flask>=2; python_version >= '3.9'", "requests"]
        => Want::Serve { framework: Framework::Flask, module: "web.app", attr: "app", factory: false, file: "web/app.py",
            command: &["flask", "--app", "web.app:app", "run", "--host", "0.0.0.0", "--port", "5000"] };
    fastapi_dep_names_starlette:
        [("web/app.py", "from flask import Flask\napp = Flask(__name__)\n"), ("main.py", "from starlette.applications import Starlette\napp = Starlette()\n")],
        ["fastapi[standard]"]
        => Want::Serve { framework: Framework::Starlette, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    django_and_fastapi_ambiguous:
        [("manage.py", DJANGO_MANAGE), ("mysite/wsgi.py", DJANGO_WSGI), ("sidecar/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
        ["django", "fastapi"]
        => Want::Ambiguous(&["FastAPI app in sidecar/main.py", "Django project in manage.py"]);
    commented_out_app_is_ignored:
        [("main.py", "from fastapi import FastAPI\n# app = FastAPI()\n    # app = FastAPI()\n")], []
        => Want::Nothing;
    docstring_and_string_apps_are_ignored:
        [("main.py", "\"\"\"Usage:\n\napp = FastAPI()\n\"\"\"\nEXAMPLE = '''\napp = FastAPI()\n'''\nx = \"app = FastAPI()\"\n")], []
        => Want::Nothing;
    app_inside_function_or_class_is_ignored:
        [("main.py", "from fastapi import FastAPI\n\ndef run():\n    app = FastAPI()\n    serve(app)\n\nclass Holder:\n    app = FastAPI()\n\n    def build(self):\n        return FastAPI()\n")], []
        => Want::Nothing;
    app_under_module_level_if_counts:
        [("main.py", "from fastapi import FastAPI\ntry:\n    import uvloop\nexcept ImportError:\n    pass\nif True:\n    app = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    comparison_is_not_assignment:
        [("main.py", "from fastapi import FastAPI\nassert app == FastAPI()\nif app == FastAPI(): pass\n")], []
        => Want::Nothing;
    test_files_are_ignored:
        [("test_main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("svc/main_test.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
         ("conftest.py", "from flask import Flask\napp = Flask(__name__)\n"), ("tests/app.py", "from flask import Flask\napp = Flask(__name__)\n"),
         ("tests/manage.py", DJANGO_MANAGE)], ["gunicorn"]
        => Want::Nothing;
    test_files_do_not_cause_ambiguity:
        [("conftest.py", "from flask import Flask\napp = Flask(__name__)\n"), ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Serve { framework: Framework::FastApi, module: "main", attr: "app", factory: false, file: "main.py", command: UV_MAIN_APP };
    unimportable_files_are_skipped:
        [("my-app/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("main.txt", "app = FastAPI()\n"),
         ("class.py", "from fastapi import FastAPI\napp = FastAPI()\n"), ("1st.py", "from fastapi import FastAPI\napp = FastAPI()\n")], []
        => Want::Nothing;
    empty_project:
        [], ["fastapi"]
        => Want::Nothing;
}

#[test]
fn result_does_not_depend_on_input_order() {
    let mut files = vec![
        (
            "svc/app.py",
            "from fastapi import FastAPI\napp = FastAPI()\n",
        ),
        (
            "svc/main.py",
            "from fastapi import FastAPI\napp = FastAPI()\n",
        ),
        (
            "main.py",
            "from fastapi import FastAPI\ndef create_app():\n    return FastAPI()\n",
        ),
        (
            "other/main.py",
            "from fastapi import FastAPI\napp = FastAPI()\n",
        ),
    ];
    let first = run(&files, &[]);
    files.reverse();
    assert_eq!(run(&files, &[]), first);
    files.swap(0, 2);
    assert_eq!(run(&files, &[]), first);
    let served = first.ok().flatten().map(|s| s.app);
    assert_eq!(
        served.map(|a| (a.module, a.attr)),
        Some(("main".into(), "create_app".into()))
    );
}

#[test]
fn django_manage_in_subdirectory_sets_workdir() {
    let files = [
        ("backend/manage.py", DJANGO_MANAGE),
        ("backend/mysite/settings.py", DJANGO_SETTINGS),
        ("backend/mysite/wsgi.py", DJANGO_WSGI),
    ];
    let served = run(&files, &["gunicorn"]).ok().flatten();
    let served = served.as_ref();
    assert_eq!(served.map(|s| s.workdir.as_str()), Some("backend"));
    assert_eq!(
        served.and_then(|s| s.manage.as_deref()),
        Some("backend/manage.py")
    );
    assert_eq!(
        served.map(|s| s.app.file.as_str()),
        Some("backend/mysite/wsgi.py")
    );
    assert_eq!(
        served.map(|s| s.command.clone()),
        Some(strings(&[
            "gunicorn",
            "--bind",
            "0.0.0.0:8000",
            "mysite.wsgi:application"
        ]))
    );
}

#[test]
fn django_root_manage_has_empty_workdir() {
    let files = [
        ("manage.py", DJANGO_MANAGE),
        ("mysite/wsgi.py", DJANGO_WSGI),
    ];
    let served = run(&files, &[]).ok().flatten();
    assert_eq!(served.as_ref().map(|s| s.workdir.as_str()), Some(""));
    assert_eq!(served.and_then(|s| s.manage), Some("manage.py".to_owned()));
}

#[test]
fn shallowest_manage_py_wins() {
    let files = [
        ("a/b/manage.py", DJANGO_MANAGE),
        ("z/manage.py", DJANGO_MANAGE),
        ("c/manage.py", DJANGO_MANAGE),
    ];
    let served = run(&files, &[]).ok().flatten();
    assert_eq!(
        served.and_then(|s| s.manage),
        Some("c/manage.py".to_owned())
    );
}

#[test]
fn ambiguity_message_lists_candidates_and_points_at_entrypoint() {
    let err = FrameworkError::Ambiguous {
        candidates: strings(&["FastAPI app in svc/main.py", "Flask app in web/app.py"]),
    };
    let message = err.to_string();
    assert!(
        message.contains("FastAPI app in svc/main.py; Flask app in web/app.py"),
        "{message}"
    );
    assert!(message.contains("--entrypoint"), "{message}");
}

#[test]
fn served_serialises_to_json() {
    let served = run(
        &[("main.py", "from fastapi import FastAPI\napp = FastAPI()\n")],
        &[],
    )
    .ok()
    .flatten();
    let json = served.map(|s| serde_json::to_value(s).ok());
    let want = serde_json::json!({
        "app": {"framework": "fastapi", "module": "main", "attr": "app", "factory": false, "file": "main.py"},
        "command": ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"],
        "port": 8000,
        "server": "uvicorn",
        "workdir": "",
        "manage": null,
        "settings": null,
    });
    assert_eq!(json, Some(Some(want)));
    assert_eq!(Framework::FastApi.to_string(), "FastAPI");
    assert_eq!(Framework::Starlette.dependency(), "starlette");
}

#[test]
fn module_names_from_paths() {
    let cases = [
        ("svc/main.py", Some("svc.main")),
        ("svc/__init__.py", Some("svc")),
        ("main.py", Some("main")),
        ("a/b/c.py", Some("a.b.c")),
        ("__init__.py", None),
        ("my-app/main.py", None),
        ("svc/my-mod.py", None),
        ("svc/main.pyi", None),
        ("README.md", None),
        ("svc/import.py", None),
        ("2fa/main.py", None),
        ("_private/mod.py", Some("_private.mod")),
    ];
    for (rel, want) in cases {
        assert_eq!(module_name(rel).as_deref(), want, "{rel}");
    }
}

#[test]
fn test_file_names() {
    for rel in [
        "test_app.py",
        "svc/test_main.py",
        "app_test.py",
        "conftest.py",
        "tests/main.py",
        "a/tests/b/main.py",
    ] {
        assert!(is_test_file(rel), "{rel}");
    }
    for rel in [
        "main.py",
        "testing.py",
        "contest.py",
        "svc/tests.py",
        "latest_app.py",
    ] {
        assert!(!is_test_file(rel), "{rel}");
    }
}

#[test]
fn deps_normalise_on_both_sides() {
    let deps = Deps::from_requirements([
        "Flask>=2",
        "uvicorn[standard]",
        "Some.Thing_Else",
        "-r x.txt",
    ]);
    assert!(deps.contains("flask"));
    assert!(deps.contains("FLASK"));
    assert!(deps.contains("some_thing-else"));
    assert!(!deps.contains("gunicorn"));
    assert_eq!(
        deps.names().collect::<Vec<_>>(),
        ["flask", "some-thing-else", "uvicorn"]
    );
    assert!(!deps.is_empty());
    assert!(Deps::default().is_empty());
    let owned: Vec<String> = vec!["gunicorn".to_owned()];
    assert!(Deps::from_requirements(&owned).contains("gunicorn"));
}

#[test]
fn statements_join_continuations_and_blank_strings() {
    let src = "x = call(\n    'a # not a comment',  # comment\n)\ny = 1 \\\n    + 2\n\"\"\"doc\nstring\"\"\"\nz = 3; w = 4\n";
    let stmts = statements(src);
    let codes: Vec<&str> = stmts.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "x = call(     '                 ',   )",
            "y = 1      + 2",
            "\"\"\"          \"\"\"",
            "z = 3",
            "w = 4",
        ]
    );
    assert_eq!(stmts[0].text, "x = call(     'a # not a comment',   )");
    assert!(stmts.iter().all(|s| s.code.len() == s.text.len()));
}

#[test]
fn statements_keep_byte_alignment_with_non_ascii_strings() {
    let stmts = statements("s = 'héllo wörld'\nt = \"日本\" + x\n");
    assert_eq!(stmts.len(), 2);
    for s in &stmts {
        assert_eq!(s.code.len(), s.text.len());
        assert!(s.code.is_ascii());
    }
}

#[test]
fn statements_track_indentation() {
    let stmts = statements("def f():\n    return 1\n\tx = 2\n");
    let indents: Vec<usize> = stmts.iter().map(|s| s.indent).collect();
    assert_eq!(indents, [0, 4, 8]);
}

#[test]
fn statements_survive_bad_syntax() {
    assert_eq!(statements("x = 'unterminated\ny = 2\n").len(), 2);
    assert_eq!(statements("x = (\n").len(), 1);
    assert_eq!(
        statements("s = '''never closed\napp = FastAPI()\n").len(),
        1
    );
    assert!(statements("").is_empty());
    assert!(scan_apps("app = FastAPI(\n")
        .iter()
        .any(|(a, _, _)| a == "app"));
    assert!(scan_apps("s = '''never closed\napp = FastAPI()\n").is_empty());
}

#[test]
fn settings_module_forms() {
    let cases = [
        ("os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')", Some("a.settings")),
        ("os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\",\"a.b.c\")", Some("a.b.c")),
        ("os.environ['DJANGO_SETTINGS_MODULE'] = 'site.settings'", Some("site.settings")),
        ("DJANGO_SETTINGS_MODULE = 'cfg.settings'", Some("cfg.settings")),
        ("x = os.getenv('DJANGO_SETTINGS_MODULE')\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'real.settings')", Some("real.settings")),
        ("os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')", None),
        ("# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')", None),
        ("print('hi')", None),
    ];
    for (src, want) in cases {
        assert_eq!(settings_module(src).as_deref(), want, "{src}");
    }
}

#[test]
fn factory_parameters() {
    for params in [
        "",
        "config=None",
        "*, debug: bool = False",
        "*args, **kwargs",
        "a=1, /, b: dict[str, int] = {}",
    ] {
        assert!(callable_bare(params), "{params}");
    }
    for params in [
        "config",
        "a=1, b",
        "*, debug: bool",
        "settings: Dict[str, int]",
    ] {
        assert!(!callable_bare(params), "{params}");
    }
}

#[test]
fn imports_parse_aliases() {
    let names = |code: &str| {
        imports(code)
            .iter()
            .map(|i| {
                format!(
                    "{}|{}|{}",
                    i.module,
                    i.name.unwrap_or("-"),
                    i.alias.unwrap_or("-")
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names("import fastapi as fa, os"),
        ["fastapi|-|fa", "os|-|-"]
    );
    assert_eq!(
        names("from flask import ( Flask as F , request )"),
        ["flask|Flask|F", "flask|request|-"]
    );
    assert_eq!(
        names("from fastapi import applications"),
        ["fastapi|applications|-"]
    );
    assert!(names("important = 1").is_empty());
    assert!(names("from_x = 1").is_empty());
}

#[test]
fn submodule_import_gives_class_access() {
    let apps = scan_apps("from starlette import applications as apps\napp = apps.Starlette()\n");
    assert_eq!(apps, [("app".to_owned(), Framework::Starlette, false)]);
}

#[test]
fn a_given_port_reaches_every_server_command() {
    let flask = [SourceFile {
        rel: "app.py",
        text: "from flask import Flask\napp = Flask(__name__)\n",
    }];
    let served = detect(&flask, &deps(&["flask", "gunicorn"]), Some(9000))
        .ok()
        .flatten();
    assert_eq!(
        served.map(|s| (s.command, s.port)),
        Some((
            strings(&["gunicorn", "--bind", "0.0.0.0:9000", "app:app"]),
            9000
        ))
    );
    let django = [
        SourceFile {
            rel: "manage.py",
            text: "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
        },
        SourceFile {
            rel: "site/__init__.py",
            text: "",
        },
    ];
    let served = detect(&django, &deps(&["django"]), Some(9000))
        .ok()
        .flatten();
    assert_eq!(
        served.map(|s| s.command),
        Some(strings(&[
            "python3",
            "manage.py",
            "runserver",
            "0.0.0.0:9000"
        ]))
    );
}
