//! Erasing a visitor in the CRM (`[privacy] erase_in_crm`): the task, note, deal and person
//! leadgate made are deleted; the company stays (colleagues share it); a second erase, or one
//! after a rep deleted a record, finds them gone and succeeds.

use leadgate::crm::CrmLinks;
use leadgate::crm::progressive::execute;

use super::{Row, anna, ok};

pub async fn an_erased_visitors_records_are_deleted<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let synced = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&synced);
    assert_eq!(crm.counts(), [1, 1, 1, 1]);
    let companies = C::COMPANY_OBJECT.map(|o| crm.records(o).len());

    api.erase(&synced.links).await.expect("erased");
    assert_eq!(crm.counts(), [0, 0, 0, 0], "person, deal, note and task");
    assert_eq!(
        C::COMPANY_OBJECT.map(|o| crm.records(o).len()),
        companies,
        "the company stays"
    );
    api.erase(&synced.links)
        .await
        .expect("records already gone count as erased");
}
