use super::common;

#[tokio::test]
async fn the_site_serves_the_catalog_from_mysql() {
    let Some(db) = common::mysql_database().await else { return };
    {
        let app = common::spawn(Some(db.url.clone())).await;
        common::catalog_suite(&app).await;
        common::search_suite(&app).await;
    }
    db.drop_database().await;
}

#[tokio::test]
async fn the_admin_and_orchestration_work_over_http_on_mysql() {
    let Some(db) = common::mysql_database().await else { return };
    {
        let (app, flaky) = super::admin::spawn(Some(db.url.clone())).await;
        super::admin::admin_suite(&app, &flaky).await;
    }
    db.drop_database().await;
}
