//! Entry point of the `api` command: parses the command line and hands over.

use std::process::ExitCode;

use api::cli::{Cli, Command};
use api::startup::Application;
use api::{db, graphql, seed, telemetry, time};
use clap::Parser;

mod admin;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_json());
    let settings = cli.settings();
    let outcome: Result<(), String> = match cli.command {
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Some(Command::Migrate) => {
            async {
                let conn = db::connect(&settings).await.map_err(|e| e.to_string())?;
                db::migrate(&conn).await.map_err(|e| e.to_string())?;
                println!("migrations applied");
                Ok(())
            }
            .await
        }
        Some(Command::Seed) => {
            async {
                let conn = db::connect(&settings).await.map_err(|e| e.to_string())?;
                db::migrate(&conn).await.map_err(|e| e.to_string())?;
                let report = seed::run(&conn, time::paris_today(chrono::Utc::now()))
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "seeded {} reference rows, {} days, {} events",
                    report.reference_rows, report.days, report.events
                );
                api::cli_model::seed_history(&conn).await?;
                Ok(())
            }
            .await
        }
        Some(Command::User(command)) => admin::user(&settings, command).await,
        Some(Command::Audit(api::cli::AuditCommand::Verify)) => {
            admin::audit_verify(&settings).await
        }
        Some(Command::Token(command)) => admin::token(&settings, command).await,
        Some(Command::Model(command)) => api::cli_model::model(&settings, command).await,
        Some(Command::Import(command)) => api::cli_model::import(&settings, command).await,
        Some(Command::Bench(command)) => api::cli_model::bench(&settings, command).await,
        Some(Command::Retention(api::cli::RetentionCommand::Run)) => retention(&settings).await,
        Some(Command::Serve(_)) | None => {
            async {
                let app = Application::build(settings.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                let url = format!(
                    "http://{}/graphql",
                    settings.bind.replace(":0", &format!(":{}", app.port()))
                );
                tracing::info!(%url, "serving GraphQL");
                println!("Serving the platform on {url}");
                app.run_until_stopped().await.map_err(|e| e.to_string())
            }
            .await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `api retention run`: purges what is past its retention period and prints it.
async fn retention(settings: &api::settings::Settings) -> Result<(), String> {
    let conn = db::connect(settings).await.map_err(|e| e.to_string())?;
    db::migrate(&conn).await.map_err(|e| e.to_string())?;
    let report = api::services::retention::run_retention(&conn, chrono::Utc::now())
        .await
        .map_err(|e| match e {
            // The operator running the command may see the cause.
            api::error::ApiError::Internal(cause) => cause.chain(),
            other => other.to_string(),
        })?;
    for source in report
        .sources
        .iter()
        .filter(|s| s.observations + s.incidents + s.batches > 0)
    {
        println!(
            "{:<28} kept {:>5} days (before {}): {} observations, {} incidents, {} batches purged",
            source.source_code,
            source.retention_days,
            source.cutoff.format("%Y-%m-%d"),
            source.observations,
            source.incidents,
            source.batches
        );
    }
    println!(
        "retention: {} observations, {} incidents, {} batches purged",
        report.observations(),
        report.incidents(),
        report.batches()
    );
    Ok(())
}
