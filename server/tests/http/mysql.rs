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
