//! Finding the platform's services in each layout the platform ships, and from URLs given by hand, against the
//! double shaped like the real deployments (its OpenID configuration names neither Mantle nor Chorus).

use atrium_platform::discovery::{FoundBy, ProbeAnswer, ServiceNote, check};
use atrium_platform::{PlatformAddress, PlatformError, PlatformService};
use atrium_testkit::platform::{DoubleLayout, DoubleOptions, PlatformDouble};

async fn double(layout: DoubleLayout) -> PlatformDouble {
    PlatformDouble::start_with(DoubleOptions { layout, ..DoubleOptions::default() }).await.expect("double")
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn one_front_url_finds_mantle_under_api_and_the_relay_at_the_front() {
    let double = double(DoubleLayout::Front { relay_routed: true }).await;
    let report = check(&http(), &PlatformAddress::new(format!("{}/", double.url()))).await.expect("check");
    assert_eq!(report.origin.url.as_deref(), Some(double.url().as_str()));
    assert_eq!(report.mantle.url, Some(format!("{}/api", double.url())));
    assert_eq!(report.mantle.found_by, Some(FoundBy::FrontLayout));
    assert_eq!(report.chorus.url.as_deref(), Some(double.url().as_str()));
    assert_eq!(report.chorus.found_by, Some(FoundBy::FrontLayout));
    let urls = report.urls().expect("usable");
    assert_eq!(urls.relay_ws(), Some(format!("{}/relay/v1/connect", double.url().replacen("http", "ws", 1))));
    assert_eq!(urls.events_ws(), format!("{}/api/events", double.url().replacen("http", "ws", 1)));
    let sign_in = report.sign_in.expect("Origin lists its providers");
    let names: Vec<&str> = sign_in.providers.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"google") && names.contains(&"entra"), "{names:?}");
    assert!(sign_in.password);
    double.shutdown().await;
}

#[tokio::test]
async fn a_front_that_does_not_route_the_relay_is_reported_and_chorus_can_be_given() {
    let double = double(DoubleLayout::Front { relay_routed: false }).await;
    let report = check(&http(), &PlatformAddress::new(double.url())).await.expect("check");
    assert!(report.mantle.url.is_some());
    assert_eq!(report.chorus.url, None);
    assert_eq!(report.chorus.note, Some(ServiceNote::RelayNotRouted));
    assert_eq!(report.chorus.tried.last().map(|p| &p.answer), Some(&ProbeAnswer::WebPage));
    // Signing in still works: only the relay waits for Chorus.
    assert_eq!(report.urls().expect("Origin and Mantle are enough").chorus, None);

    let address = PlatformAddress { chorus_url: Some(double.chorus_url()), ..PlatformAddress::new(double.url()) };
    let report = check(&http(), &address).await.expect("check");
    assert_eq!(report.chorus.url, Some(double.chorus_url()));
    assert_eq!(report.chorus.found_by, Some(FoundBy::Given));
    double.shutdown().await;
}

#[tokio::test]
async fn separate_service_urls_need_mantle_given_and_say_what_was_tried() {
    let double = double(DoubleLayout::Separate).await;
    let report = check(&http(), &PlatformAddress::new(double.origin_url())).await.expect("check");
    assert_eq!(report.origin.url, Some(double.origin_url()));
    assert_eq!(report.mantle.url, None);
    assert!(report.mantle.tried.len() >= 2, "{:?}", report.mantle.tried);
    assert!(
        report.mantle.tried.iter().all(|p| matches!(p.answer, ProbeAnswer::Status { status: 404 })),
        "{:?}",
        report.mantle.tried
    );
    match report.urls() {
        Err(PlatformError::ServiceNotFound { service: PlatformService::Mantle, tried }) => {
            assert!(tried.contains(&format!("{}/api/", double.origin_url())), "{tried}");
        }
        other => panic!("expected Mantle not found, got {other:?}"),
    }

    let address = PlatformAddress {
        url: double.origin_url(),
        mantle_url: Some(double.mantle_url()),
        chorus_url: Some(double.chorus_url()),
    };
    let report = check(&http(), &address).await.expect("check");
    let urls = report.urls().expect("all given");
    assert_eq!((urls.mantle, urls.chorus), (double.mantle_url(), Some(double.chorus_url())));
    assert_eq!(report.mantle.found_by, Some(FoundBy::Given));
    double.shutdown().await;
}

#[tokio::test]
async fn advertised_service_urls_are_used_when_a_deployment_publishes_them() {
    let options = DoubleOptions { layout: DoubleLayout::Separate, advertise_service_urls: true, ..Default::default() };
    let double = PlatformDouble::start_with(options).await.expect("double");
    let report = check(&http(), &PlatformAddress::new(double.origin_url())).await.expect("check");
    assert_eq!(report.mantle.url, Some(double.mantle_url()));
    assert_eq!(report.mantle.found_by, Some(FoundBy::Advertised));
    assert_eq!(report.chorus.found_by, Some(FoundBy::Advertised));
    double.shutdown().await;
}

#[tokio::test]
async fn a_wrong_hand_given_url_is_not_guessed_past() {
    let double = double(DoubleLayout::Front { relay_routed: true }).await;
    // Chorus's URL typed as Mantle's: reported as not Mantle, never silently replaced by the front's `/api`.
    let address = PlatformAddress { mantle_url: Some(double.chorus_url()), ..PlatformAddress::new(double.url()) };
    let report = check(&http(), &address).await.expect("check");
    assert_eq!(report.mantle.url, None);
    assert_eq!(report.mantle.tried.len(), 1);
    assert!(matches!(report.urls(), Err(PlatformError::ServiceNotFound { service: PlatformService::Mantle, .. })));
    double.shutdown().await;
}

#[tokio::test]
async fn an_address_that_is_not_a_platform_or_not_a_url_is_said_so() {
    let double = double(DoubleLayout::Separate).await;
    let report = check(&http(), &PlatformAddress::new(double.mantle_url())).await.expect("check");
    assert_eq!(report.origin.url, None);
    assert!(matches!(report.urls(), Err(PlatformError::ServiceNotFound { service: PlatformService::Origin, .. })));
    assert_eq!(report.sign_in, None);

    // Nothing listens on this port any more.
    let gone = double.origin_url();
    double.shutdown().await;
    let report = check(&http(), &PlatformAddress::new(gone)).await.expect("check");
    assert!(matches!(report.origin.tried[0].answer, ProbeAnswer::Unreachable { .. }), "{:?}", report.origin.tried);

    for bad in ["ftp://example.org", "http://example.org", "not a url"] {
        let err = check(&http(), &PlatformAddress::new(bad)).await.expect_err(bad);
        assert!(matches!(err, PlatformError::BadUrl { .. }), "{bad}: {err:?}");
    }
}
