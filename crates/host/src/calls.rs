//! An instance's API calls, answered by the bridge: the host's side of the runtime's
//! [`Output::ApiCall`] / [`Input::ApiReply`] seam.
//!
//! The runtime knows no provider; this outlet sees each output as it leaves the instance and
//! takes the API calls to the app's bridge client — async ones queued on the bridge thread
//! with their events and answer coming back as inputs, sync ones answered on the spot (the
//! script is waiting). View calls are checked against the API table before they go on to the
//! views, so malformed arguments fail the same way for every API. When the instance ends, its
//! client ends too: its waiting calls are dropped and its requests and sockets closed.

use std::sync::Arc;

use capsule_bridge::service::ApiHost;
use capsule_runtime::{Input, InstanceSender, Outlet, Output};

/// Routes one instance's calls to its own client at the bridge.
pub struct BridgeOutlet {
    client: Arc<dyn ApiHost>,
    /// Told each answer: the API and whether it succeeded (the host's metrics).
    observer: Option<Observer>,
}

/// What [`BridgeOutlet::observed`] tells: an API's name and whether its answer was `:ok`.
pub type Observer = Arc<dyn Fn(&str, bool) + Send + Sync>;

fn succeeded(result: &serde_json::Value) -> bool {
    result["errMsg"].as_str().is_some_and(|m| m.ends_with(":ok"))
}

impl BridgeOutlet {
    /// An outlet for one more instance of the app `api` serves: a client of its own where the
    /// bridge gives one, so that ending the instance ends only its calls.
    pub fn new(api: &Arc<dyn ApiHost>) -> BridgeOutlet {
        BridgeOutlet::with_client(api.instance().unwrap_or_else(|| api.clone()))
    }

    /// An outlet for an instance whose calls go to `client`, a client of its own.
    pub fn with_client(client: Arc<dyn ApiHost>) -> BridgeOutlet {
        BridgeOutlet { client, observer: None }
    }

    /// The outlet, telling `observer` of every answer.
    pub fn observed(mut self, observer: Observer) -> BridgeOutlet {
        self.observer = Some(observer);
        self
    }
}

impl Outlet for BridgeOutlet {
    fn output(&self, from: &InstanceSender, output: Output) -> Option<Output> {
        match output {
            Output::ApiCall { call, name, args, sync: true } => {
                let result = self.client.call_sync(&name, args);
                if let Some(observer) = &self.observer {
                    observer(&name, succeeded(&result));
                }
                from.send(Input::ApiReply { call, result });
                None
            }
            Output::ApiCall { call, name, args, sync: false } => {
                let (answer_to, events_to) = (from.clone(), from.clone());
                let events: capsule_bridge::Events = Arc::new(move |name: &str, data| {
                    events_to.send(Input::ApiEvent { call, name: name.to_string(), data })
                });
                let observer = self.observer.clone();
                let api = name.clone();
                self.client.call_with_events(
                    &name,
                    args,
                    events,
                    Box::new(move |result| {
                        if let Some(observer) = &observer {
                            observer(&api, succeeded(&result));
                        }
                        answer_to.send(Input::ApiReply { call, result })
                    }),
                );
                None
            }
            // Malformed arguments fail here as they would for any API; the views see only
            // calls that pass.
            Output::ViewCall { seq, name, args } => match self.client.check(&name, &args) {
                Ok(()) => Some(Output::ViewCall { seq, name, args }),
                Err(result) => {
                    from.send(Input::ViewReply { seq, result });
                    None
                }
            },
            Output::Terminated { reason } => {
                self.client.end();
                Some(Output::Terminated { reason })
            }
            other => Some(other),
        }
    }
}

impl Drop for BridgeOutlet {
    fn drop(&mut self) {
        self.client.end();
    }
}
